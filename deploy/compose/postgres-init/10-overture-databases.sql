-- docker-compose.yml's PostgreSQL runs this once, on an empty data volume (/docker-entrypoint-initdb.d), as the
-- POSTGRES_USER superuser: one database per store that Overture's parts share (their *_URL variables). Each part also
-- creates its database if it is missing and migrates it, so a volume made before a store was added still works.
-- Temporal's own databases (temporal, temporal_visibility) are made by the temporal-schema service.
CREATE DATABASE overture_ledger;
CREATE DATABASE overture_directory;
CREATE DATABASE overture_systems;
CREATE DATABASE overture_operators;
CREATE DATABASE overture_approval_links;
CREATE DATABASE overture_event_receipts;
CREATE DATABASE overture_kpis;
CREATE DATABASE overture_accounting;
CREATE DATABASE overture_warehouse;
