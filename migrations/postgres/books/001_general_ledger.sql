-- The financial close's general ledger (activities/financial-close/postgres-general-ledger.ts), shared by every
-- worker host: the same tables as the SQLite ledger (ledger-schema.ts), amounts in integer cents.
-- An entry is posted once per idempotency key (unique), and the journal is append-only: triggers refuse an
-- UPDATE or DELETE of an entry or a line, whoever connects.

CREATE TABLE ledger_settings (key text PRIMARY KEY, value text NOT NULL);

CREATE TABLE entities (
  entity text PRIMARY KEY,
  name text NOT NULL,
  currency text NOT NULL
);

CREATE TABLE accounts (
  entity text NOT NULL REFERENCES entities (entity),
  code text NOT NULL,
  name text NOT NULL,
  type text NOT NULL CHECK (type IN ('asset', 'liability', 'equity', 'revenue', 'expense')),
  PRIMARY KEY (entity, code)
);

CREATE TABLE foreign_currency_cash (
  entity text NOT NULL,
  account text NOT NULL,
  currency text NOT NULL,
  amount_cents bigint NOT NULL,
  PRIMARY KEY (entity, account, currency),
  FOREIGN KEY (entity, account) REFERENCES accounts (entity, code)
);

CREATE TABLE recurring_accruals (
  entity text NOT NULL REFERENCES entities (entity),
  code text NOT NULL,
  memo text NOT NULL,
  expense_account text NOT NULL,
  liability_account text NOT NULL,
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  PRIMARY KEY (entity, code)
);

CREATE TABLE periods (
  entity text NOT NULL REFERENCES entities (entity),
  period text NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'locked')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entity, period)
);

CREATE TABLE journal_entries (
  entry_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  entity text NOT NULL REFERENCES entities (entity),
  period text NOT NULL,
  entry_date text NOT NULL,
  memo text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('posting', 'accrual', 'accrual-reversal', 'adjustment', 'revaluation', 'opening')),
  batch text,
  reverses_entry_id integer UNIQUE REFERENCES journal_entries (entry_id),
  rate_set_id text,
  posted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX journal_entries_by_period ON journal_entries (entity, period);

CREATE TABLE journal_lines (
  entry_id integer NOT NULL REFERENCES journal_entries (entry_id),
  line_no integer NOT NULL,
  entity text NOT NULL,
  account text NOT NULL,
  debit_cents bigint NOT NULL CHECK (debit_cents >= 0),
  credit_cents bigint NOT NULL CHECK (credit_cents >= 0),
  PRIMARY KEY (entry_id, line_no),
  FOREIGN KEY (entity, account) REFERENCES accounts (entity, code)
);
CREATE INDEX journal_lines_by_account ON journal_lines (entity, account);

-- seq orders rate sets recorded for the same period (SQLite's rowid).
CREATE TABLE rate_sets (
  rate_set_id text PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  period text NOT NULL,
  rates_period text NOT NULL,
  source text NOT NULL CHECK (source IN ('published', 'live', 'last-published')),
  published_at text NOT NULL,
  base text NOT NULL,
  rates text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
    RAISE EXCEPTION '% are never deleted: post a reversing entry', replace(TG_TABLE_NAME, '_', ' ');
  END IF;
  RAISE EXCEPTION '% are never changed: post a reversing entry', replace(TG_TABLE_NAME, '_', ' ');
END $$;
CREATE TRIGGER journal_entries_append_only BEFORE UPDATE OR DELETE ON journal_entries
  FOR EACH ROW EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER journal_lines_append_only BEFORE UPDATE OR DELETE ON journal_lines
  FOR EACH ROW EXECUTE FUNCTION journal_append_only();
-- TRUNCATE skips row triggers: refuse it too.
CREATE TRIGGER journal_entries_no_truncate BEFORE TRUNCATE ON journal_entries
  FOR EACH STATEMENT EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER journal_lines_no_truncate BEFORE TRUNCATE ON journal_lines
  FOR EACH STATEMENT EXECUTE FUNCTION journal_append_only();
