/**
 * Where the shared state of several hosts lives (docs/running-at-scale.md, "Several hosts"): LEDGER_URL, DIRECTORY_URL and SYSTEMS_URL
 * put the delivery ledger, the directory and the systems' health and pauses on PostgreSQL, and OPERATORS_URL,
 * APPROVAL_LINKS_URL and EVENT_RECEIPTS_URL the operators, the used approval links and the gateways' receipts; unset,
 * each host keeps its SQLite files (LEDGER_DB_PATH, DIRECTORY_DB_PATH; systems.db in the data directory). A URL's credentials never appear in a message: see ../../config/redact-url.
 */
import { z } from 'zod';

/** A blank variable is unset: docker-compose.yml passes `${LEDGER_URL:-}` through as an empty string. */
const blankAsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** Why a PostgreSQL URL is unusable, or undefined when it is fine; the message never repeats the URL (it may hold a password). */
export function postgresUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be a PostgreSQL URL, e.g. postgresql://overture:PASSWORD@db.internal:5432/overture_ledger';
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    return `must be a postgres:// or postgresql:// URL (got ${url.protocol}//…), e.g. postgresql://overture:PASSWORD@db.internal:5432/overture_ledger`;
  }
  if (!url.hostname) return 'must name the database server, e.g. postgresql://overture:PASSWORD@db.internal:5432/overture_ledger';
  // Without a path node-postgres would silently use the user's name as the database: say which one instead.
  if (url.pathname.replace(/^\//, '') === '')
    return 'must name its database in the path, e.g. postgresql://overture:PASSWORD@db.internal:5432/overture_ledger';
  return undefined;
}

const postgresUrl = z.preprocess(
  blankAsUnset,
  z
    .string()
    .superRefine((text, ctx) => {
      const problem = postgresUrlProblem(text);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
);

/** The zod fields that src/config/platform.ts spreads into its schema. */
export const SHARED_STORE_SETTINGS = {
  // The delivery ledger on PostgreSQL: one ledger for every worker host, so a message is sent once across hosts.
  LEDGER_URL: postgresUrl,
  // The directory on PostgreSQL: every host provisions into the same accounts, grants, workspaces and tickets.
  DIRECTORY_URL: postgresUrl,
  // The systems' health and pauses on PostgreSQL: one degraded alert per outage, and a pause that holds every host.
  SYSTEMS_URL: postgresUrl,
  // The operators on PostgreSQL: a token made on any host signs in on every host's console and CLI.
  OPERATORS_URL: postgresUrl,
  // The used approval links on PostgreSQL: a link used on one host's console is refused on every other.
  APPROVAL_LINKS_URL: postgresUrl,
  // The event gateways' receipts on PostgreSQL: the same event posted to two gateways at once starts one run.
  EVENT_RECEIPTS_URL: postgresUrl,
  // The KPI projection on PostgreSQL: every host's workers report into one, and any host's CLI and console read it.
  KPIS_URL: postgresUrl,
};

/** What of the store settings a configuration holds. */
export interface SharedStoreSettings {
  LEDGER_URL?: string;
  DIRECTORY_URL?: string;
  SYSTEMS_URL?: string;
  OPERATORS_URL?: string;
  APPROVAL_LINKS_URL?: string;
  EVENT_RECEIPTS_URL?: string;
  KPIS_URL?: string;
  LEDGER_DB_PATH?: string;
  DIRECTORY_DB_PATH?: string;
  EVENTS_DB_PATH?: string;
}

/** Contradictions between the URLs and the SQLite paths: one store per kind, so neither is chosen silently. */
export function sharedStoreProblems(raw: SharedStoreSettings): string[] {
  const problems: string[] = [];
  if (raw.LEDGER_URL && raw.LEDGER_DB_PATH)
    problems.push(
      'LEDGER_URL and LEDGER_DB_PATH are both set: the ledger is either on PostgreSQL (LEDGER_URL) or in a SQLite file (LEDGER_DB_PATH); unset one',
    );
  if (raw.DIRECTORY_URL && raw.DIRECTORY_DB_PATH)
    problems.push(
      'DIRECTORY_URL and DIRECTORY_DB_PATH are both set: the directory is either on PostgreSQL (DIRECTORY_URL) or in a SQLite file (DIRECTORY_DB_PATH); unset one',
    );
  if (raw.EVENT_RECEIPTS_URL && raw.EVENTS_DB_PATH)
    problems.push(
      "EVENT_RECEIPTS_URL and EVENTS_DB_PATH are both set: the gateway's receipts are either on PostgreSQL (EVENT_RECEIPTS_URL) or in a SQLite file (EVENTS_DB_PATH); unset one",
    );
  return problems;
}
