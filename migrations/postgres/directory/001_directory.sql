-- The directory (src/directory/postgres-directory.ts): accounts, role grants, workspaces and IT tickets,
-- the same tables as the embedded SQLite directory; every write is idempotent on the employee.

CREATE TABLE accounts (
  account_id text PRIMARY KEY,
  employee_id text NOT NULL UNIQUE,
  username text NOT NULL UNIQUE,
  full_name text NOT NULL,
  email text NOT NULL UNIQUE,
  role text NOT NULL,
  team text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE grants (
  employee_id text NOT NULL,
  permission text NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (employee_id, permission)
);

CREATE TABLE workspaces (
  workspace_id text PRIMARY KEY,
  employee_id text NOT NULL UNIQUE,
  team text NOT NULL,
  url text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Ticket numbers come from a sequence: several hosts open tickets at once (SQLite counts rows under its write lock).
CREATE SEQUENCE ticket_numbers START WITH 1001;

CREATE TABLE tickets (
  ticket_id text PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  employee_id text NOT NULL,
  summary text NOT NULL,
  status text NOT NULL DEFAULT 'open',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tickets_by_employee ON tickets (employee_id);
