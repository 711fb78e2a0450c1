/**
 * `npm start`: the whole Overture stack on this machine, on the embedded defaults.
 *
 * A Temporal dev server (history kept in ${OVERTURE_DATA_DIR}/temporal.db across restarts), a local SMTP
 * server and webhook receiver (unless SMTP_URL / NOTIFY_WEBHOOK_URL point at real ones) and the onboarding
 * worker. One instance per data directory (overture.pid). Ctrl-C or SIGTERM stops everything in reverse
 * order; a second Ctrl-C forces the exit.
 *
 * A part that goes down unasked is brought back (dev-stack/supervisor.ts): the Temporal server on its data file,
 * an in-process server on its port, each at most 3 times in 5 minutes; past that the stack stops (exit code 1).
 *
 * Exit codes: 0 stopped on request, 1 could not start (or a part failed), 2 bad configuration.
 */
import type { Server } from 'node:net';
import { Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig, type OvertureConfig } from '../../config';
import { acquireInstanceLock, AlreadyRunningError, type InstanceLock } from './instance-lock';
import { startMailReceiver } from './mail-receiver';
import { busyPortProblem, formatSummary, localTemporalPort, portsToBind, stackPaths } from './stack-info';
import { StopStack, withTimeout } from './stop-stack';
import { superviseServer, superviseTemporal, type SuperviseOptions } from './supervisor';
import { provisionTemporalBinary, TemporalUnavailableError } from './temporal-binary';
import { startTemporalDevServer } from './temporal-server';
import { startWebhookReceiver } from './webhook-receiver';
import type { LocalService } from '../../../activities/kit/process-worker';
import { processLocalServices } from '../../registry';
import { createWorker } from '../../../workers/overture-worker';
import { startConsoleFromConfig, type OperatorConsole, type StartOperatorConsole } from '../../apps/console/main';

export type { OperatorConsole, StartOperatorConsole };
import { startEventGatewayFromConfig } from '../../apps/events/server';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../../workflows/kit/search-attributes';
import { ensureBootstrapAdmin } from '../../stores/operators/bootstrap';
import { secureDataDir } from '../../stores/private-files';
import { ensureKeyFile } from '../../temporal/codec/key-file';
import { uiCodecEndpoint } from '../../apps/console/codec-endpoint';
import { runtimeTelemetryOptions } from '../../temporal/observability/worker';
import { configureLogging, lineLogger, rootLogger } from '../../logging/logger';
import { workerTemporalLogger } from '../../logging/worker-logger';

const WORKER_DRAIN_MS = 10_000;
const FORCE_EXIT_MS = 30_000;
const REPEAT_SIGNAL_MS = 1_000;

const out = (line: string) => console.log(line);
const err = (line: string) => console.error(line);
// The parts' lines go to the logger (src/logging) under their tag: readable here unless LOG_FORMAT=json, control
// characters escaped (they may carry run data: an operator's name, an event's id). The summary stays plain text.
const prefixed = (tag: string) => lineLogger(tag);

/** Raised between startup steps when a stop was requested meanwhile. */
class Interrupted extends Error {}

interface StartPartsOptions {
  startConsole?: StartOperatorConsole;
  onTemporalPid: (pid: number) => void;
  /** Throws Interrupted if a stop was requested; called after each part is registered. */
  checkpoint: () => void;
  /** When the stack is stopping, and whom to tell that a part is down for good. */
  supervise: Omit<SuperviseOptions, 'log'>;
}

/** Starts every part in order, registering each on `parts` as soon as it is up; returns the summary and the worker's end. */
async function startParts(config: OvertureConfig, temporalPort: number, parts: StopStack, opts: StartPartsOptions) {
  const paths = stackPaths(config);
  // The local servers the installed processes need on one machine (activities/<name>/index.ts `localServices`).
  const services = processLocalServices(config);
  const busy = await busyPortProblem(portsToBind(config, temporalPort, services));
  if (busy) throw new Error(busy);

  // The first operator of a fresh data directory, so someone can sign in and decide (its token goes to a file, not the log).
  await ensureBootstrapAdmin(config, prefixed('operators'));
  // Payload encryption is on by default here: the key file is made before any part can encrypt with it.
  ensureKeyFile(config, prefixed('codec'));
  const binary = await provisionTemporalBinary({ log: prefixed('temporal') });
  prefixed('temporal')(`using ${binary}`);
  opts.checkpoint();
  const temporalOptions = {
    binary,
    port: temporalPort,
    uiPort: config.TEMPORAL_UI_PORT,
    dbFile: paths.temporalDb,
    namespace: config.TEMPORAL_NAMESPACE,
    searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS,
    logFile: paths.temporalLog,
    log: prefixed('temporal'),
    // The UI decrypts through the console's codec endpoint, for signed-in operators (src/apps/console/codec-endpoint.ts).
    uiCodecEndpoint: opts.startConsole && config.OVERTURE_PAYLOAD_ENCRYPTION === 'on' ? uiCodecEndpoint(config) : undefined,
  };
  if (temporalOptions.uiCodecEndpoint)
    prefixed('codec')(`Temporal UI decodes through ${temporalOptions.uiCodecEndpoint} for signed-in operators`);
  const temporal = await startTemporalDevServer(temporalOptions);
  opts.onTemporalPid(temporal.pid);
  // Started again on the same port and data file if it exits unasked; the worker and clients reconnect.
  const supervised = superviseTemporal(temporal, () => startTemporalDevServer(temporalOptions), {
    ...opts.supervise,
    log: prefixed('temporal'),
    dbFile: paths.temporalDb,
    onPid: opts.onTemporalPid,
  });
  parts.push('Temporal server', () => supervised.stop());
  opts.checkpoint();

  /** Registers an in-process part; its server listens again on its port if it closes unasked. */
  const pushServer = (name: string, tag: string, part: { server?: Server; stop(): Promise<void> }) => {
    const release = part.server ? superviseServer(name, part.server, { ...opts.supervise, log: prefixed(tag) }) : () => undefined;
    parts.push(name, () => {
      release();
      return part.stop();
    });
  };
  const mail = config.SMTP_URL
    ? undefined
    : await startMailReceiver({ port: config.LOCAL_SMTP_PORT, mailDir: paths.mailDir, log: prefixed('mail') });
  if (mail) pushServer('mail receiver', 'mail', mail);
  const webhooks = config.NOTIFY_WEBHOOK_URL
    ? undefined
    : await startWebhookReceiver({ port: config.LOCAL_WEBHOOK_PORT, logFile: paths.webhookLog, log: prefixed('webhook') });
  if (webhooks) pushServer('webhook receiver', 'webhook', webhooks);
  const started: Array<{ service: LocalService; url?: string }> = [];
  for (const service of services) {
    if (!service.runs) {
      started.push({ service });
      continue;
    }
    const tag = service.name.split(' ')[0]!;
    const running = await service.start(prefixed(tag));
    pushServer(service.name, tag, running);
    started.push({ service, url: running.url });
  }
  opts.checkpoint();

  out('[worker] bundling the workflow code and connecting to Temporal');
  const { worker, shutdown } = await createWorker(config);
  const running = worker.run();
  const workerEnded = running.then(
    () => 'the worker stopped',
    (e: unknown) => `the worker failed: ${e instanceof Error ? e.message : String(e)}`,
  );
  parts.push('worker', async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await withTimeout(
      running.catch(() => undefined),
      WORKER_DRAIN_MS,
      'the worker drain',
    );
    await shutdown();
  });
  opts.checkpoint();

  // Events start runs: the gateway opens once a worker is there to run them, and closes before it.
  const events = await startEventGatewayFromConfig(config, prefixed('events'));
  pushServer('event gateway', 'events', events);
  opts.checkpoint();

  // ── Operator console hook ──────────────────────────────────────────────────────────────────────
  // The console starts last (so it stops first), once it can reach Temporal. A later change passes
  // startConsole to main() at the bottom of this file; until then there is no console.
  let consoleUrl: string | undefined;
  if (opts.startConsole) {
    const operatorConsole = await opts.startConsole(config, prefixed('console'));
    pushServer('operator console', 'console', operatorConsole);
    consoleUrl = operatorConsole.url;
    opts.checkpoint();
  }

  const summary = formatSummary({
    config,
    temporalAddress: temporal.address,
    temporalUiUrl: temporal.uiUrl,
    localSmtpUrl: mail?.url,
    localWebhookUrl: webhooks?.url,
    services: started,
    consoleUrl,
    eventsUrl: events.url,
  });
  return { summary, workerEnded };
}

/**
 * The environment the stack reads its configuration from: the console's demo is on unless OVERTURE_DEMO says
 * otherwise. The stack's console and worker both read it, so the demo's routes and its worker part come together.
 */
export function stackEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return env.OVERTURE_DEMO === undefined || env.OVERTURE_DEMO === '' ? { ...env, OVERTURE_DEMO: 'on' } : env;
}

/** Brings the stack up, waits for a stop request (or the worker ending), then takes it down. Resolves to the exit code. */
export async function main(opts: { startConsole?: StartOperatorConsole } = {}): Promise<number> {
  let config: OvertureConfig;
  let temporalPort: number;
  try {
    config = loadConfig(stackEnvironment(process.env));
    temporalPort = localTemporalPort(config.TEMPORAL_ADDRESS);
    // The dev server npm start runs speaks plaintext: TLS settings are for a worker against a cluster (npm run worker).
    if (config.temporalConnection.tls)
      throw new ConfigError(
        'invalid configuration: TEMPORAL_TLS (or a TLS variable or API key) is set, but `npm start` runs a plaintext dev server here: unset them, or run `npm run worker` against your TLS cluster',
      );
  } catch (e) {
    err(e instanceof ConfigError ? e.message : `invalid configuration: ${(e as Error).message}`);
    return 2;
  }
  // A person reads npm start's output, even through a pipe: readable lines unless LOG_FORMAT says otherwise.
  configureLogging(config, { readable: true });
  // The data directory holds personal data: .data (the default) is Overture's own to tighten; a chosen one is warned about.
  secureDataDir(config.OVERTURE_DATA_DIR, { ownDirectory: !config.env.OVERTURE_DATA_DIR?.trim(), log: prefixed('data') });
  let lock: InstanceLock;
  try {
    lock = acquireInstanceLock(stackPaths(config).pidFile, {
      temporalAddress: `127.0.0.1:${temporalPort}`,
      temporalUiUrl: `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`,
    });
  } catch (e) {
    if (!(e instanceof AlreadyRunningError)) throw e;
    err(e.explain());
    return 1;
  }

  const parts = new StopStack(out, err);
  let temporalPid: number | undefined;
  let stopReason: string | undefined;
  let stopAt = 0;
  let requestStop: (reason: string) => void = () => undefined;
  const stopRequested = new Promise<string>((resolve) => (requestStop = resolve));
  // A part down for good (its restarts spent) stops the stack; while it stops, nothing is restarted.
  let partFailure: string | undefined;
  let shuttingDown = false;
  let reportFailure: (reason: string) => void = () => undefined;
  const partFailed = new Promise<string>((resolve) => (reportFailure = resolve));
  const supervise = {
    stopping: () => shuttingDown || stopReason !== undefined,
    giveUp: (reason: string) => {
      partFailure ??= reason;
      reportFailure(reason);
    },
  };

  const forceExit = () => {
    err('forcing exit');
    try {
      if (temporalPid) process.kill(temporalPid, 'SIGTERM'); // do not leave the server running on its port
    } catch {
      // already gone
    }
    lock.release();
    process.exit(130);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    // On Ctrl-C, tsx (npm start) sometimes relays the same SIGINT again a few ms later: only a later one forces.
    if (stopReason) return Date.now() - stopAt < REPEAT_SIGNAL_MS ? undefined : forceExit();
    stopReason = signal;
    stopAt = Date.now();
    out(`\n${signal} received: stopping Overture (press Ctrl-C again to force)`);
    setTimeout(forceExit, FORCE_EXIT_MS).unref();
    requestStop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    // We own shutdown: without this, the Temporal runtime would also stop the worker on SIGINT/SIGTERM behind our back.
    // With the Prometheus exporter of METRICS_PORT when set (src/temporal/observability): the runtime is made once, here.
    // The SDK's lines (and each run's) on the logger; its routine chatter stays out of this terminal unless LOG_LEVEL is set.
    const sdkLog = config.env.LOG_LEVEL?.trim() ? rootLogger() : rootLogger().child({}, { level: 'warn' });
    Runtime.install({ shutdownSignals: [], logger: workerTemporalLogger(sdkLog), telemetryOptions: runtimeTelemetryOptions(config) });
    let started: Awaited<ReturnType<typeof startParts>>;
    try {
      started = await startParts(config, temporalPort, parts, {
        startConsole: opts.startConsole,
        onTemporalPid: (pid) => (temporalPid = pid),
        checkpoint: () => {
          if (stopReason) throw new Interrupted();
          if (partFailure) throw new Error(partFailure);
        },
        supervise,
      });
    } catch (e) {
      shuttingDown = true;
      if (!(e instanceof Interrupted) && !stopReason) {
        err(e instanceof TemporalUnavailableError ? e.message : `Overture could not start: ${e instanceof Error ? e.message : String(e)}`);
      }
      const hadParts = parts.size > 0;
      const clean = await parts.stopAll();
      if (stopReason) out('stopped');
      else if (hadParts) out('startup failed; everything that had started is stopped');
      return stopReason && clean ? 0 : 1;
    }
    started.summary.forEach((line) => out(line));
    out('Overture is ready. Press Ctrl-C to stop.');

    const reason = await Promise.race([stopRequested, started.workerEnded, partFailed]);
    shuttingDown = true;
    const unexpected = !stopReason;
    if (unexpected) err(`${reason}; stopping the rest of Overture`);
    const clean = await parts.stopAll();
    out('stopped');
    return clean && !unexpected ? 0 : 1;
  } finally {
    lock.release();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (require.main === module) {
  main({ startConsole: startConsoleFromConfig }).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
