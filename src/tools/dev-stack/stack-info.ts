/**
 * What `npm start` needs to know about the local stack before and after starting it: which ports it
 * will bind (and whether they are free), and a summary of where everything is that never prints secrets.
 */
import type { LocalService } from '../../../activities/kit/process-worker';
import { STARTABLE_PROCESSES } from '../../registry';
import path from 'node:path';
import type { OvertureConfig } from '../../config/platform';
import { isPortInUse } from './temporal-server';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost']);
const DEFAULT_TEMPORAL_PORT = 7233;

/** The port of TEMPORAL_ADDRESS, which must name this machine since `npm start` runs the server here. */
export function localTemporalPort(address: string): number {
  let url: URL;
  try {
    url = new URL(`tcp://${address}`);
  } catch {
    throw new Error(`TEMPORAL_ADDRESS=${address} is not host:port`);
  }
  if (!LOCAL_HOSTS.has(url.hostname)) {
    throw new Error(
      `TEMPORAL_ADDRESS=${address} points at another machine, but \`npm start\` runs Temporal on this one.\n` +
        'Use TEMPORAL_ADDRESS=127.0.0.1:<port>, or run only the worker against that server with `npm run worker`.',
    );
  }
  return url.port ? Number(url.port) : DEFAULT_TEMPORAL_PORT;
}

/** Local paths of the stack's files, all under the data directory. */
export function stackPaths(config: OvertureConfig) {
  const dir = config.OVERTURE_DATA_DIR;
  return {
    pidFile: path.join(dir, 'overture.pid'),
    temporalDb: path.join(dir, 'temporal.db'),
    temporalLog: path.join(dir, 'temporal.log'),
    mailDir: path.join(dir, 'mail'),
    webhookLog: path.join(dir, 'webhooks.jsonl'),
  };
}

/** Every port the stack will listen on, named after the variable that sets it. */
export function portsToBind(
  config: OvertureConfig,
  temporalPort: number,
  services: readonly LocalService[] = [],
): Array<{ port: number; what: string; variable: string }> {
  const ports = [
    { port: temporalPort, what: 'Temporal gRPC', variable: 'TEMPORAL_ADDRESS' },
    { port: config.TEMPORAL_UI_PORT, what: 'Temporal UI', variable: 'TEMPORAL_UI_PORT' },
  ];
  if (!config.SMTP_URL) ports.push({ port: config.LOCAL_SMTP_PORT, what: 'local SMTP', variable: 'LOCAL_SMTP_PORT' });
  if (!config.NOTIFY_WEBHOOK_URL)
    ports.push({ port: config.LOCAL_WEBHOOK_PORT, what: 'local webhook receiver', variable: 'LOCAL_WEBHOOK_PORT' });
  // The local servers of the installed processes (e.g. the site of published pages), unless configured elsewhere.
  for (const service of services)
    if (service.runs) ports.push({ port: service.port.port, what: `local ${service.name}`, variable: service.port.variable });
  ports.push({ port: config.CONSOLE_PORT, what: 'operator console', variable: 'CONSOLE_PORT' });
  ports.push({ port: config.EVENTS_PORT, what: 'event gateway', variable: 'EVENTS_PORT' });
  // The worker's Prometheus endpoint, when metrics are on: a busy port would otherwise fail the worker after the rest started.
  if (config.METRICS_PORT !== undefined)
    ports.push({ port: config.METRICS_PORT, what: 'worker metrics endpoint', variable: 'METRICS_PORT' });
  return ports;
}

/** A sentence about the first busy port, or undefined if all are free. */
export async function busyPortProblem(ports: ReturnType<typeof portsToBind>): Promise<string | undefined> {
  for (const { port, what, variable } of ports) {
    if (port !== 0 && (await isPortInUse(port))) {
      return (
        `Port ${port} (${what}) on 127.0.0.1 is already in use, and no other Overture holds this data directory.\n` +
        `Stop whatever listens there (\`lsof -i :${port}\` shows it; a \`docker compose up\` stack or a leftover Temporal server are usual suspects),\n` +
        `or choose another port with ${variable}.`
      );
    }
  }
  return undefined;
}

/** Host and port of an SMTP URL, without user, password or parameters. */
export function redactSmtpUrl(smtpUrl: string): string {
  try {
    return new URL(smtpUrl).host;
  } catch {
    return '(unparsable SMTP_URL)';
  }
}

/** Scheme and host of a webhook URL: paths of hosted webhooks (Slack, Teams) carry their secret. */
export function redactWebhookUrl(webhookUrl: string): string {
  try {
    return `${new URL(webhookUrl).origin}/… (path hidden)`;
  } catch {
    return '(unparsable NOTIFY_WEBHOOK_URL)';
  }
}

export interface SummaryInput {
  config: OvertureConfig;
  temporalAddress: string;
  temporalUiUrl?: string;
  /** The local receivers' URLs, when they run. */
  localSmtpUrl?: string;
  localWebhookUrl?: string;
  /** The installed processes' local servers, each with its URL when it runs here. */
  services?: ReadonlyArray<{ service: LocalService; url?: string }>;
  consoleUrl?: string;
  /** The event gateway's base URL, when it runs. */
  eventsUrl?: string;
}

/** The lines printed once the stack is up. */
export function formatSummary(s: SummaryInput): string[] {
  const { config } = s;
  const paths = stackPaths(config);
  const mail = s.localSmtpUrl
    ? `local SMTP on ${s.localSmtpUrl.replace('smtp://', '')}, each message saved to ${paths.mailDir}`
    : `SMTP relay ${redactSmtpUrl(config.smtpUrl)} (SMTP_URL)`;
  const notices = s.localWebhookUrl
    ? `local webhook ${s.localWebhookUrl}, each message logged to ${paths.webhookLog}`
    : `webhook ${redactWebhookUrl(config.webhookUrl)} (NOTIFY_WEBHOOK_URL)`;
  const rows: Array<[string, string]> = [
    ['Temporal', `${s.temporalAddress} (namespace ${config.TEMPORAL_NAMESPACE})`],
    ['Temporal UI', s.temporalUiUrl ?? '(headless)'],
    ['Mail', mail],
    ['Team notices', notices],
    ['Worker', `task queue ${config.TEMPORAL_TASK_QUEUE}`],
    ['Data', `${config.OVERTURE_DATA_DIR} (Temporal history in temporal.db, server log in temporal.log)`],
  ];
  for (const { service, url } of s.services ?? []) rows.push(service.summary(url));
  if (s.consoleUrl) rows.push(['Console', s.consoleUrl]);
  if (s.eventsUrl)
    rows.push([
      'Events',
      `POST ${s.eventsUrl}/events/<type>, signed (sources: ${config.EVENT_SOURCES ? 'EVENT_SOURCES' : config.eventSourcesFile})`,
    ]);
  return ['', ...rows.map(([label, value]) => `  ${label.padEnd(13)} ${value}`), '', ...tryIt(), ''];
}

/** The stack's first line of advice: start the first installed process that has an example. */
function tryIt(): string[] {
  const first = STARTABLE_PROCESSES.find((p) => p.example);
  return first ? [`  Try it:  npx overture start ${first.shape.name} ${first.example} --wait`] : [];
}
