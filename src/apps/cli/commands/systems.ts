/**
 * `overture systems`: the downstream systems' health (outages, alerts) and operator pauses.
 *
 *   systems list [--json]                          each system: ok, failing (since, attempts) or paused (by, why)
 *   systems pause SYSTEM [--reason TEXT]           hold every send through it: steps wait, nothing fails
 *   systems resume SYSTEM [--reason TEXT]          let them go again, waking the runs the pause held
 *
 * Pausing and resuming need the role operator or above; they are recorded with the operator's identity.
 */
import { parseArgs } from 'node:util';
import { authorisedCaller } from '../identity';
import { UsageError, type Io } from '../io';
import type { SystemHealthRecords } from '../../../stores/system-health/sqlite-health';
import { openSystemHealth } from '../../../stores/open';
import { checkPauseReason, resumeSystem, systemNamed } from '../../../client/system-pauses';
import { SYSTEM_NAMES } from '../../../../workflows/kit/types';
import { printJson, type CliCommand, type CliEnv } from '../command';

const SYSTEMS_USAGE = `usage: overture systems list [--json]                   ${SYSTEM_NAMES.join(' and ')}: ok, failing, or paused (by whom, why)
       overture systems pause SYSTEM [--reason TEXT] [--json]
                                                      hold its sends: steps wait, nothing fails (role operator)
       overture systems resume SYSTEM [--reason TEXT] [--json]
                                                      send again and wake the waiting runs (role operator)

  --json   list: [{system, pause?, failing?, lastOutage?, history: [...]}];
           pause: {system, paused: true, fresh, by}; resume: {system, wasPaused, signalled: [workflowId], ended: [workflowId], by}`;

const at = (ms: number) => new Date(ms).toISOString();

function usage(message: string): never {
  throw new UsageError(`${message}\n${SYSTEMS_USAGE}`);
}

/** The system and reason of a pause or resume, or a UsageError (exit 2). */
function target(positionals: string[], reason: string | undefined): { system: ReturnType<typeof systemNamed>; reason?: string } {
  if (positionals.length !== 1) usage('name one system');
  try {
    return { system: systemNamed(positionals[0]), reason: checkPauseReason(reason) };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function list(store: SystemHealthRecords, json: boolean, io: Io): Promise<number> {
  const systems = await Promise.all(
    SYSTEM_NAMES.map(async (system) => ({
      system,
      pause: await store.pauseOf(system),
      failing: await store.currentOutage(system),
      lastOutage: (await store.outages(system, 1))[0],
      history: await store.pauseHistory(system, 5),
    })),
  );
  if (json) {
    printJson(io, systems);
    return 0;
  }
  for (const s of systems) {
    const state = s.pause
      ? `paused by ${s.pause.pausedBy} since ${at(s.pause.pausedAt)}${s.pause.reason ? `: ${s.pause.reason}` : ''}`
      : s.failing
        ? `failing since ${at(s.failing.startedAt)} (${s.failing.failures} failed attempts${s.failing.alertedAt ? ', operators alerted' : ''})`
        : 'ok';
    const last = s.lastOutage?.endedAt ? `; last outage ${at(s.lastOutage.startedAt)} to ${at(s.lastOutage.endedAt)}` : '';
    io.stdout(`${s.system.padEnd(6)} ${state}${last}`);
  }
  return 0;
}

/** Runs `overture systems ...`; returns the exit code. */
export async function systems(env: CliEnv, args: string[], io: Io): Promise<number> {
  const [verb, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { reason: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (verb !== 'list' && verb !== 'pause' && verb !== 'resume') usage(`systems takes list, pause or resume, not "${verb ?? ''}"`);
  const chosen = verb === 'list' ? undefined : target(positionals, values.reason);
  // Who pauses or resumes is authenticated before anything changes; viewers may only look.
  const config = env.config();
  const identity = chosen ? await authorisedCaller(config, 'operator', `${verb === 'pause' ? 'pausing' : 'resuming'} a system`) : undefined;
  // PostgreSQL at SYSTEMS_URL (what every host's workers see), else this host's systems.db.
  const store = await openSystemHealth(config);
  try {
    if (!chosen || !identity) return await list(store, values.json ?? false, io);
    if (verb === 'pause') {
      const fresh = await store.pause(chosen.system, identity, chosen.reason);
      if (values.json) printJson(io, { system: chosen.system, paused: true, fresh, by: identity.operator });
      else
        io.stdout(
          `${chosen.system} ${fresh ? 'paused' : 'was already paused; now recorded as paused'} by ${identity.operator}: its sends wait until: overture systems resume ${chosen.system}`,
        );
      return 0;
    }
    const report = await resumeSystem(await env.client(), store, chosen.system, identity, chosen.reason);
    if (values.json) {
      printJson(io, { system: chosen.system, ...report, by: identity.operator });
      return 0;
    }
    io.stdout(
      `${chosen.system} ${report.wasPaused ? 'resumed' : 'was not paused'} by ${identity.operator}; ${report.signalled.length} waiting run(s) woken` +
        (report.ended.length ? `, ${report.ended.length} had ended` : ''),
    );
    return 0;
  } finally {
    await store.close();
  }
}

/** `overture systems ...`. */
export const command: CliCommand = {
  name: 'systems',
  summary: 'downstream systems: health, pause, resume',
  usage: SYSTEMS_USAGE,
  verbs: ['list', 'pause', 'resume'],
  options: ['reason=', 'json'],
  run: (args, io, env) => systems(env, args, io),
};
