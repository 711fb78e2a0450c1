-- The operators who may use Overture (src/stores/operators/postgres-operators.ts), shared by every host: a token
-- made on one host works on all of them. Only a token's SHA-256 is kept; a removed operator is disabled, never
-- deleted, so a name in a past decision always means the same person.
CREATE TABLE operators (
  -- The name folded (NFC, lower case): "Alice" and "alice" are one operator.
  name_key text PRIMARY KEY,
  name text NOT NULL,
  email text,
  role text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_at text NOT NULL,
  disabled boolean NOT NULL DEFAULT false
);
