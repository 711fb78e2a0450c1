/**
 * A process setting naming a PostgreSQL database that every worker host shares (the close's ACCOUNTING_URL, the
 * pipeline's WAREHOUSE_URL): checked like the platform's LEDGER_URL, and blank counts as unset, as docker compose
 * passes `${VAR:-}` through as an empty string. The message never repeats the URL, which may hold a password.
 */
import { z } from 'zod';
import { postgresUrlProblem } from '../../src/stores/postgres/settings';
import { ConfigError } from '../../src/config/platform';

/** An optional postgres:// URL. */
export const sharedStoreUrl = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z
    .string()
    .superRefine((text, ctx) => {
      const problem = postgresUrlProblem(text);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
);

/** The URL when set, refusing a SQLite path beside it: a store lives in one place, never chosen silently. */
export function urlOrFile(names: { url: string; file: string; store: string }, url?: string, file?: string): string | undefined {
  if (url && file) {
    throw new ConfigError(
      `${names.url} and ${names.file} are both set: ${names.store} is either on PostgreSQL (${names.url}) or in a SQLite file (${names.file}); unset one`,
    );
  }
  return url;
}
