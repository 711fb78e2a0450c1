-- Which approval links were used (src/stores/approval-links/postgres-used-links.ts), shared by every console: a link
-- is claimed by inserting its nonce, so of two clicks on two hosts at once exactly one claims it.
CREATE TABLE used_links (
  nonce text PRIMARY KEY,
  workflow_id text NOT NULL,
  question text NOT NULL,
  decision text NOT NULL,
  approver text NOT NULL,
  used_at text NOT NULL,
  -- Milliseconds since the epoch: the record may go a day after the link expired (it is refused before lookup then).
  expires_at bigint NOT NULL,
  outcome text
);
CREATE INDEX used_links_expiry ON used_links (expires_at);
