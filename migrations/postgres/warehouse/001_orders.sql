-- The data pipeline's warehouse (activities/data-pipeline/postgres-warehouse.ts), shared by every worker host: the
-- record of the batches loaded, and one table per dataset (activities/data-pipeline/datasets.ts) keyed on
-- (batch id, row key), as in the SQLite warehouse. A new dataset, or a new column, is a new migration.

CREATE TABLE loaded_batches (
  batch_id text PRIMARY KEY,
  dataset text NOT NULL,
  batch_date text,
  rows integer NOT NULL,
  load_id text NOT NULL,
  loaded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
  batch_id text NOT NULL,
  order_id text NOT NULL,
  customer_id text,
  order_date text,
  order_month text,
  amount_cents bigint,
  currency text,
  country text,
  PRIMARY KEY (batch_id, order_id)
);
