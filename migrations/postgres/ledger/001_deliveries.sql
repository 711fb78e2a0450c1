-- The delivery ledger (src/postgres/delivery-ledger.ts): receipts of messages sent, and claims of messages being sent.
-- Times are the database's clock, so hosts whose clocks disagree still agree on when a claim expires.

-- One key may be delivered on several channels (a notice goes by email and by webhook): keyed apart.
CREATE TABLE deliveries (
  idempotency_key text NOT NULL,
  channel text NOT NULL,
  receipt text NOT NULL,
  delivered_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (idempotency_key, channel)
);

-- A claim is live while it has not expired and the session holding its advisory lock (lock_id) is connected.
CREATE TABLE delivery_claims (
  idempotency_key text NOT NULL,
  channel text NOT NULL,
  owner text NOT NULL,
  lock_id bigint NOT NULL CHECK (lock_id >= 0),
  holder text NOT NULL,
  host text NOT NULL,
  pid integer NOT NULL,
  claimed_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (idempotency_key, channel)
);
