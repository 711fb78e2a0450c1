/**
 * Overture's own configuration, whatever processes are installed: every environment variable of the platform
 * (Temporal, stores, mail and chat, ladders, console, gateway, encryption, observability), validated with zod, with
 * embedded defaults that run the whole stack on one machine (local SMTP, local webhook receiver, SQLite files under
 * .data/). Each process's own variables are its settings (activities/<name>/settings.ts), checked by ./index.ts.
 */
import path from 'node:path';
import { z } from 'zod';
import { insecureBindProblem } from '../apps/console/startup-checks';
import { SHARED_STORE_SETTINGS, sharedStoreProblems } from '../stores/postgres/settings';
import { OIDC_SETTINGS, readOidcSettings, type OidcSettings } from '../apps/console/oidc-settings';
import { OBSERVABILITY_SETTINGS } from '../temporal/observability/settings';
import { LOGGING_SETTINGS } from '../logging/settings';
import { VERSIONING_SETTINGS } from '../temporal/deployments/settings';
import { TEMPORAL_CONNECTION_SETTINGS, readTemporalConnection, type TemporalConnectionSettings } from '../temporal/settings';
import { WORKER_HEAPS } from '../temporal/worker-heap';

const HOUR_MS = 3_600_000;
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

const hours = (fallback: number) => z.coerce.number().positive().default(fallback);
const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);
const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    );

const stepPolicyOverride = z
  .object({
    startToCloseTimeoutMs: z.number().int().positive(),
    initialIntervalMs: z.number().int().positive(),
    backoffCoefficient: z.number().min(1),
    maximumIntervalMs: z.number().int().positive(),
    maximumAttempts: z.number().int().positive(),
    // 0 turns a step's time budget off: it retries maximumAttempts times again.
    retryBudgetMs: z.number().int().min(0),
    runAs: z.enum(['activity', 'local']),
    heartbeatTimeoutMs: z.number().int().positive(),
  })
  .partial()
  .strict();

/** A setting holding a JSON object (`{}` when unset); `example` is what its message shows when it is not JSON. */
const jsonObjectText = (example: string) =>
  z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be JSON, e.g. ${example}` });
        return z.NEVER;
      }
    });

const policyOverrides = jsonObjectText('{"createWorkspace":{"maximumAttempts":5}}')
  // Step names are checked against the installed processes' shapes by ./index.ts.
  .pipe(z.record(z.string(), stepPolicyOverride));

const manualSteps = jsonObjectText('{"<process>":["<step>"]}')
  // Process and step names are checked against the installed processes by src/registry/index.ts.
  .pipe(z.record(z.string(), z.array(z.string(), { error: 'each process names a list of steps, or ["all"]' })));

/**
 * The systems allowed to send events (`POST /events/<type>`): per source, its shared HMAC secret and the event
 * types it may send (`"*"`: every registered type). The same shape as `${OVERTURE_DATA_DIR}/event-sources.json`.
 */
export const eventSourcesSchema = z.record(
  z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'source names must be 1-64 lowercase letters, digits, ".", "_" or "-"'),
  z
    .object({
      secret: z.string().min(32, 'each secret must be at least 32 characters'),
      types: z
        .array(z.string().regex(/^(\*|[a-z0-9][a-z0-9._-]{0,127})$/, 'each type must be an event type or "*"'))
        .min(1, 'name at least one event type'),
    })
    .strict(),
);

export type EventSources = z.infer<typeof eventSourcesSchema>;

const eventSources = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (text === undefined || text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON, e.g. {"hr":{"secret":"<32+ chars>","types":["hr.employee-hired"]}}' });
      return z.NEVER;
    }
  })
  .pipe(eventSourcesSchema.optional());

export const configSchema = z.object({
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  // One namespace per environment (e.g. overture-staging, overture-prod): runs, schedules and search attributes stay apart.
  TEMPORAL_NAMESPACE: z.string().default('default'),
  // TLS, mTLS and Temporal Cloud API keys (src/temporal/settings.ts, connect.ts): files read and checked at startup.
  ...TEMPORAL_CONNECTION_SETTINGS,
  TEMPORAL_TASK_QUEUE: z.string().default('overture'),
  TEMPORAL_UI_PORT: port(8233),
  TEMPORAL_UI_URL: z.string().url().optional(),
  OVERTURE_DATA_DIR: z.string().default('.data'),
  DIRECTORY_DB_PATH: z.string().optional(),
  LEDGER_DB_PATH: z.string().optional(),
  // The ledger and the directory on PostgreSQL, shared by every worker host (src/stores/postgres); unset, the SQLite files above.
  ...SHARED_STORE_SETTINGS,
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default('Overture <overture@overture.local>'),
  NOTIFY_WEBHOOK_URL: z.string().url().optional(),
  LOCAL_SMTP_PORT: port(2525),
  LOCAL_WEBHOOK_PORT: port(4040),
  WORKSPACE_BASE_URL: z.string().url().default('https://workspaces.overture.local'),
  ESCALATION_CONTACTS: list('it-oncall@overture.local,it-lead@overture.local').pipe(
    z.array(z.email({ error: 'each contact must be an email address' })).min(1, 'name at least one escalation contact'),
  ),
  ESCALATION_REMINDER_HOURS: hours(4),
  ESCALATION_NEXT_CONTACT_HOURS: hours(24),
  ESCALATION_AUTO_ACTION_HOURS: hours(72),
  ESCALATION_AUTO_ACTION: z.enum(['abort', 'skip']).default('abort'),
  APPROVAL_REMINDER_HOURS: hours(8),
  APPROVAL_NEXT_CONTACT_HOURS: hours(24),
  APPROVAL_TIMEOUT_HOURS: hours(72),
  // Approve from the email (src/approval-links): how long a link is valid (never past the question's deadline), and its key.
  APPROVAL_LINK_TTL_HOURS: hours(72),
  APPROVAL_LINK_KEY_FILE: z.string().optional(),
  STEP_POLICIES: policyOverrides,
  // Manual first (workflows/kit/manual-steps.ts): per process, the steps people do by hand, {"<process>":["<step>", ...]} or ["all"].
  MANUAL_STEPS: manualSteps,
  // Outages of a downstream system (docs/operating.md, "Outages of a downstream system"): how long the email and chat steps retry transient failures,
  // the longest wait between two tries (so runs resume soon after a recovery), and when a failing system is
  // reported to the operators as degraded.
  RETRY_BUDGET_EMAIL_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(30 * 24 * HOUR_MS)
    .default(4 * HOUR_MS),
  RETRY_BUDGET_CHAT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(30 * 24 * HOUR_MS)
    .default(4 * HOUR_MS),
  RETRY_MAX_INTERVAL_MS: z.coerce.number().int().min(100).max(HOUR_MS).default(120_000),
  OUTAGE_ALERT_AFTER_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * HOUR_MS)
    .default(60_000),
  WORKER_CACHED_RUNS: z.coerce.number().int().min(0).max(100_000).default(250),
  // V8's own heap sizing, or `compact` for workers whose runs mostly wait (src/temporal/worker-heap.ts).
  WORKER_HEAP: z.enum(WORKER_HEAPS, { error: `must be ${WORKER_HEAPS.join(' or ')}` }).default('default'),
  CONSOLE_HOST: z.string().default('127.0.0.1'),
  CONSOLE_PORT: port(4000),
  // Where people's browsers reach the console (a TLS proxy, a published port): the base of the links in mails and
  // chat messages. Unset: http://CONSOLE_HOST:CONSOLE_PORT, right only when the console is opened where it runs.
  CONSOLE_PUBLIC_URL: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://overture.example.com' }).optional(),
  ),
  // Gone: one shared token let whoever held it decide as anyone. Refused, so nobody believes it still guards the console.
  CONSOLE_TOKEN: z
    .string()
    .optional()
    .refine(
      (v) => v === undefined,
      'is no longer used: each operator signs in with a personal token (overture operators add NAME --role ROLE); unset it',
    ),
  // The console under load (src/apps/console/server.ts): a plain-HTTP bind beyond loopback needs the override;
  // connections, event streams, timeouts and sign-in failures are bounded.
  CONSOLE_ALLOW_INSECURE_BIND: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true'),
  CONSOLE_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100_000).default(256),
  CONSOLE_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(32),
  CONSOLE_MAX_STREAMS: z.coerce.number().int().min(1).max(100_000).default(100),
  CONSOLE_MAX_STREAMS_PER_OPERATOR: z.coerce.number().int().min(1).max(100_000).default(8),
  // Renamed: streams count per operator (one operator's many sessions no longer take everyone's streams).
  CONSOLE_MAX_STREAMS_PER_SESSION: z
    .string()
    .optional()
    .refine((v) => v === undefined, 'is now CONSOLE_MAX_STREAMS_PER_OPERATOR: event streams count per operator, not per session'),
  CONSOLE_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  CONSOLE_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  CONSOLE_IDLE_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  CONSOLE_SIGNIN_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(5),
  CONSOLE_SIGNIN_GLOBAL_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(100),
  EVENTS_HOST: z.string().default('127.0.0.1'),
  EVENTS_PORT: port(4080),
  EVENTS_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(16 * 1024 * 1024)
    .default(256 * 1024),
  EVENTS_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  EVENTS_DB_PATH: z.string().optional(),
  EVENT_SOURCES: eventSources,
  // Payload encryption (src/temporal/codec): the key ring from a file (mode 0600) or the environment; `off` stores payloads
  // in clear (a warning says so). The codec endpoint answers the Temporal UI at these origins (default: its dev server's).
  OVERTURE_PAYLOAD_ENCRYPTION: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  // The console's side-by-side demo (activities/kit/demo.ts): its routes and its worker part exist only when on, and run
  // on in-memory systems. Off unless set; `npm start` sets it on for its console and worker.
  OVERTURE_DEMO: z.enum(['on', 'off'], { error: 'must be on or off' }).default('off'),
  OVERTURE_CODEC_KEY_FILE: z.string().optional(),
  OVERTURE_CODEC_KEYS: z.string().optional(),
  OVERTURE_CODEC_UI_ORIGINS: z
    .string()
    .optional()
    .refine(
      (v) =>
        (v ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .every((o) => /^https?:\/\/[^/\s*]+\/?$/.test(o)),
      'each origin must be like http://host:port (no path, no "*")',
    ),
  // OIDC sign-in to the console, beside operator tokens (src/apps/console/oidc-settings.ts): all or nothing.
  ...OIDC_SETTINGS,
  // Prometheus metrics (METRICS_PORT) and OpenTelemetry tracing (OTEL_EXPORTER_OTLP_ENDPOINT) of src/temporal/observability: off unless set.
  ...OBSERVABILITY_SETTINGS,
  // Logs (src/logging): LOG_LEVEL (trace … error, silent; default info), LOG_FORMAT (auto, json, pretty; default auto).
  ...LOGGING_SETTINGS,
  // Worker versioning (src/temporal/deployments): OVERTURE_BUILD_ID makes the worker a build of OVERTURE_DEPLOYMENT_NAME; unset, unversioned.
  ...VERSIONING_SETTINGS,
});

export type RawConfig = z.infer<typeof configSchema>;

export interface OvertureConfig extends RawConfig {
  /** The environment the configuration was read from: each process reads its own settings from it. */
  readonly env: NodeJS.ProcessEnv;
  directoryDbPath: string;
  ledgerDbPath: string;
  smtpUrl: string;
  webhookUrl: string;
  temporalUiUrl: string;
  /** Where browsers reach the console: CONSOLE_PUBLIC_URL, else CONSOLE_HOST:CONSOLE_PORT. */
  consoleUrl: string;
  eventsDbPath: string;
  /** The health and pauses of the downstream systems (email, chat), shared by every worker and the CLI. */
  systemsDbPath: string;
  /** The KPI projection (src/stores/kpis) when KPIS_URL is unset: kpis.db in the data directory. */
  kpisDbPath: string;
  /** Where senders reach the event gateway (a wildcard EVENTS_HOST is reached on 127.0.0.1). */
  eventsUrl: string;
  /** The embedded event sources and their secrets, used when EVENT_SOURCES is unset. */
  eventSourcesFile: string;
  /** The payload encryption keys: OVERTURE_CODEC_KEY_FILE, or `codec-keys.json` in the data directory. */
  codecKeyFile: string;
  /** The Temporal UI origins the codec endpoint answers (CORS with credentials: exact origins, never `*`). */
  codecUiOrigins: string[];
  /** The key that signs approval links (32 random bytes, created at first use). */
  approvalLinkKeyFile: string;
  /** Which links were used: each acts once. */
  approvalLinksDbPath: string;
  /** OIDC sign-in to the console, when OIDC_ISSUER and its client are configured. */
  oidc?: OidcSettings;
  /** How to reach Temporal: TLS (CA, client certificate, server name) and the API key, read from their files. */
  temporalConnection: TemporalConnectionSettings;
}

/**
 * The UI origins of OVERTURE_CODEC_UI_ORIGINS, or those of the dev server's UI (127.0.0.1 and localhost on
 * TEMPORAL_UI_PORT, and TEMPORAL_UI_URL's), each reduced to its origin.
 */
function codecUiOrigins(raw: RawConfig): string[] {
  const given = raw.OVERTURE_CODEC_UI_ORIGINS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const candidates = given?.length
    ? given
    : [
        `http://127.0.0.1:${raw.TEMPORAL_UI_PORT}`,
        `http://localhost:${raw.TEMPORAL_UI_PORT}`,
        ...(raw.TEMPORAL_UI_URL ? [raw.TEMPORAL_UI_URL] : []),
      ];
  const origins = candidates.flatMap((c) => {
    try {
      const origin = new URL(c).origin;
      return origin === 'null' ? [] : [origin];
    } catch {
      return [];
    }
  });
  return [...new Set(origins)];
}

/** Thrown for a configuration that does not validate; its message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and validates the platform's configuration from an environment; see ./index.ts `loadConfig` for the whole. */
export function loadPlatformConfig(env: NodeJS.ProcessEnv = process.env): OvertureConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  const raw = parsed.data;
  if (!(
    raw.ESCALATION_REMINDER_HOURS < raw.ESCALATION_NEXT_CONTACT_HOURS &&
    raw.ESCALATION_NEXT_CONTACT_HOURS < raw.ESCALATION_AUTO_ACTION_HOURS
  )) {
    throw new ConfigError(
      'invalid configuration: ESCALATION_REMINDER_HOURS < ESCALATION_NEXT_CONTACT_HOURS < ESCALATION_AUTO_ACTION_HOURS must hold',
    );
  }
  if (!(raw.APPROVAL_REMINDER_HOURS < raw.APPROVAL_NEXT_CONTACT_HOURS && raw.APPROVAL_NEXT_CONTACT_HOURS < raw.APPROVAL_TIMEOUT_HOURS)) {
    throw new ConfigError(
      'invalid configuration: APPROVAL_REMINDER_HOURS < APPROVAL_NEXT_CONTACT_HOURS < APPROVAL_TIMEOUT_HOURS must hold',
    );
  }
  const oidc = readOidcSettings(raw);
  const temporalConnection = readTemporalConnection(raw);
  const consoleProblems = [
    insecureBindProblem(raw.CONSOLE_HOST, raw.CONSOLE_ALLOW_INSECURE_BIND),
    ...oidc.problems,
    ...temporalConnection.problems,
    ...sharedStoreProblems(raw),
  ].filter((p) => p !== undefined);
  if (consoleProblems.length) throw new ConfigError(`invalid configuration:\n${consoleProblems.map((p) => `  ${p}`).join('\n')}`);
  const dataDir = path.resolve(raw.OVERTURE_DATA_DIR);
  const config = {
    ...raw,
    OVERTURE_DATA_DIR: dataDir,
    directoryDbPath: path.resolve(raw.DIRECTORY_DB_PATH ?? path.join(dataDir, 'directory.db')),
    ledgerDbPath: path.resolve(raw.LEDGER_DB_PATH ?? path.join(dataDir, 'overture.db')),
    smtpUrl: raw.SMTP_URL ?? `smtp://127.0.0.1:${raw.LOCAL_SMTP_PORT}`,
    webhookUrl: raw.NOTIFY_WEBHOOK_URL ?? `http://127.0.0.1:${raw.LOCAL_WEBHOOK_PORT}/hooks/team`,
    temporalUiUrl: raw.TEMPORAL_UI_URL ?? `http://127.0.0.1:${raw.TEMPORAL_UI_PORT}`,
    consoleUrl: raw.CONSOLE_PUBLIC_URL?.replace(/\/+$/, '') ?? `http://${raw.CONSOLE_HOST}:${raw.CONSOLE_PORT}`,
    eventsDbPath: path.resolve(raw.EVENTS_DB_PATH ?? path.join(dataDir, 'events.db')),
    systemsDbPath: path.join(dataDir, 'systems.db'),
    kpisDbPath: path.join(dataDir, 'kpis.db'),
    eventsUrl: `http://${WILDCARD_HOSTS.has(raw.EVENTS_HOST) ? '127.0.0.1' : raw.EVENTS_HOST}:${raw.EVENTS_PORT}`,
    eventSourcesFile: path.join(dataDir, 'event-sources.json'),
    codecKeyFile: path.resolve(raw.OVERTURE_CODEC_KEY_FILE?.trim() || path.join(dataDir, 'codec-keys.json')),
    codecUiOrigins: codecUiOrigins(raw),
    approvalLinkKeyFile: path.resolve(raw.APPROVAL_LINK_KEY_FILE ?? path.join(dataDir, 'link-key')),
    approvalLinksDbPath: path.join(dataDir, 'approval-links.db'),
    ...(oidc.settings ? { oidc: oidc.settings } : {}),
    temporalConnection: temporalConnection.settings,
  };
  return { ...config, env };
}
