-- The event gateways' memory (src/stores/event-receipts/postgres-receipts.ts), shared by every gateway: which events
-- were received, so that one event delivered to two gateways at once acts once (the primary key admits one claim);
-- and which signatures were seen, so that a captured request is refused as a replay on every gateway.
CREATE TABLE event_receipts (
  source text NOT NULL,
  event_id text NOT NULL,
  type text NOT NULL,
  workflow_id text NOT NULL,
  run_id text,
  started boolean,
  state text NOT NULL CHECK (state IN ('claimed', 'delivered')),
  -- Milliseconds since the epoch, from the database's clock: the claim's lease is judged alike on every host.
  claimed_at bigint NOT NULL,
  delivered_at text,
  PRIMARY KEY (source, event_id)
);

CREATE TABLE seen_signatures (
  signature text PRIMARY KEY,
  -- Unix seconds: the signature's timestamp plus the gateway's tolerance.
  expires_at bigint NOT NULL
);
CREATE INDEX seen_signatures_expiry ON seen_signatures (expires_at);
