/**
 * `overture schedule create|list|pause|unpause|trigger|delete`: processes started on a calendar, through
 * Temporal schedules (see src/client/schedules.ts).
 */
import { parseArgs } from 'node:util';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { OvertureConfig } from '../../../config/platform';
import { readInput, UsageError, type Io } from '../io';
import { authorisedCaller } from '../identity';
import { isTimeZone } from '../../../client/schedule-placeholders';
import { createSchedule, listSchedules, type ScheduleListing } from '../../../client/schedules';
import { OVERLAP_POLICIES, ScheduleSpecError, type OverlapName } from '../../../client/schedule-spec';
import { printJson, type CliCommand, type CliEnv } from '../command';

const SCHEDULE_USAGE = `usage: overture schedule create NAME --process P --input FILE|- --when nightly|first-working-day|"CRON"
           [--hour H] [--timezone TZ] [--overlap skip|buffer-one|allow-all|cancel-other|terminate-other] [--paused] [--json]
                                        start a process on a calendar (input placeholders:
                                        {{today}} {{yesterday}} {{month}} {{previousMonth}})
       overture schedule list [--json]  schedules, their next runs and recent actions
       overture schedule pause|unpause|trigger|delete NAME [--note TEXT] [--json]
                                        trigger: run it now

Changes need the role operator.

  --json   create: {schedule, process, when, timezone, overlap, paused, nextRuns: [ISO]};
           list: [{id, process, when, timezone, overlap, paused, note?, nextRuns, recent: [...]}];
           pause|unpause|trigger|delete: {schedule, action: "paused"|"unpaused"|"triggered"|"deleted"}`;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

function scheduleName(positionals: string[], verb: string): string {
  if (positionals.length !== 1) throw new UsageError(`schedule ${verb} takes one NAME`);
  const name = positionals[0]!;
  if (!NAME.test(name)) throw new UsageError(`a schedule NAME is 1-100 letters, digits, ".", "_" or "-", not "${name}"`);
  return name;
}

async function create(client: Client, config: OvertureConfig, args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      process: { type: 'string' },
      input: { type: 'string' },
      when: { type: 'string' },
      hour: { type: 'string' },
      timezone: { type: 'string' },
      overlap: { type: 'string' },
      paused: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const name = scheduleName(positionals, 'create');
  if (!values.process || !values.input || !values.when)
    throw new UsageError('schedule create takes NAME --process P --input FILE --when nightly|first-working-day|"CRON"');
  const hour = values.hour === undefined ? undefined : Number(values.hour);
  if (hour !== undefined && !(Number.isInteger(hour) && hour >= 0 && hour <= 23))
    throw new UsageError(`--hour must be 0-23, not "${values.hour}"`);
  const timezone = values.timezone ?? 'UTC';
  if (!isTimeZone(timezone)) throw new UsageError(`--timezone must be an IANA time zone such as Europe/Berlin, not "${timezone}"`);
  const overlap = values.overlap ?? 'skip';
  if (!Object.hasOwn(OVERLAP_POLICIES, overlap))
    throw new UsageError(`--overlap must be ${Object.keys(OVERLAP_POLICIES).join(', ')}, not "${overlap}"`);
  const input = readInput(values.input, io);
  try {
    await createSchedule(client, config, {
      name,
      process: values.process,
      input,
      when: values.when,
      hour,
      timezone,
      overlap: overlap as OverlapName,
      paused: values.paused,
    });
  } catch (err) {
    if (err instanceof ScheduleSpecError) throw new UsageError(err.message);
    if (err instanceof ScheduleAlreadyRunning) {
      io.stderr(`schedule ${name} already exists (delete it first to change it)`);
      return 1;
    }
    throw err;
  }
  const next = (await client.schedule.getHandle(name).describe()).info.nextActionTimes.slice(0, 3);
  if (values.json) {
    const paused = values.paused ?? false;
    printJson(io, {
      schedule: name,
      process: values.process,
      when: values.when,
      timezone,
      overlap,
      paused,
      nextRuns: next.map((d) => d.toISOString()),
    });
    return 0;
  }
  io.stdout(
    `created schedule ${name}: ${values.process} ${values.when} (${timezone}), overlap ${overlap}${values.paused ? ', paused' : ''}`,
  );
  io.stdout(`next runs: ${next.map((d) => d.toISOString()).join(', ') || '(none)'}`);
  return 0;
}

function formatSchedules(schedules: ScheduleListing[]): string {
  if (schedules.length === 0)
    return 'no schedules (create one with: overture schedule create NAME --process P --input FILE --when nightly)';
  return schedules
    .map((s) => {
      const lines = [
        `${s.id}  ${s.process}  ${s.when} (${s.timezone})  overlap ${s.overlap}  ${s.paused ? `paused${s.note ? ` (${s.note})` : ''}` : 'active'}`,
        `  next:   ${s.nextRuns.join(', ') || '(none)'}`,
      ];
      for (const a of s.recent)
        lines.push(`  recent: ${a.scheduledAt} → ${a.runWorkflowId ?? a.workflowId}${a.status ? ` (${a.status})` : ''}`);
      return lines.join('\n');
    })
    .join('\n');
}

async function list(client: Client, args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const schedules = await listSchedules(client);
  io.stdout(values.json ? JSON.stringify(schedules, null, 2) : formatSchedules(schedules));
  return 0;
}

/** pause, unpause, trigger (under the schedule's own overlap policy) and delete of one schedule. */
async function act(client: Client, verb: string, args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { note: { type: 'string' }, json: { type: 'boolean' } },
  });
  const name = scheduleName(positionals, verb);
  const handle = client.schedule.getHandle(name);
  try {
    if (verb === 'pause') await handle.pause(values.note ?? 'paused with overture schedule pause');
    else if (verb === 'unpause') await handle.unpause(values.note ?? 'unpaused with overture schedule unpause');
    else if (verb === 'trigger') await handle.trigger((await handle.describe()).policies.overlap);
    else await handle.delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
    io.stderr(`no such schedule: ${name}`);
    return 1;
  }
  const done = { pause: 'paused', unpause: 'unpaused', trigger: 'triggered', delete: 'deleted' }[verb];
  if (values.json) printJson(io, { schedule: name, action: done });
  else io.stdout(`${done} schedule ${name}`);
  return 0;
}

/** Runs `schedule SUBCOMMAND ...`: a wrong verb or a refused token before any connection is made. */
export async function schedule(env: CliEnv, args: string[], io: Io): Promise<number> {
  const [verb, ...rest] = args;
  if (verb === 'list') return list(await env.client(), rest, io);
  if (verb !== 'create' && verb !== 'pause' && verb !== 'unpause' && verb !== 'trigger' && verb !== 'delete')
    throw new UsageError(`schedule takes create, list, pause, unpause, trigger or delete\n\n${SCHEDULE_USAGE}`);
  // Every other verb changes what runs start: an operator's.
  await authorisedCaller(env.config(), 'operator', `schedule ${verb}`);
  if (verb === 'create') return create(await env.client(), env.config(), rest, io);
  return act(await env.client(), verb, rest, io);
}

/** `overture schedule ...`. */
export const command: CliCommand = {
  name: 'schedule',
  summary: 'processes started on a calendar: create, list, pause, unpause, trigger, delete',
  usage: SCHEDULE_USAGE,
  verbs: ['create', 'list', 'pause', 'unpause', 'trigger', 'delete'],
  options: ['process=', 'input=', 'when=', 'hour=', 'timezone=', 'overlap=', 'paused', 'note=', 'json'],
  run: (args, io, env) => schedule(env, args, io),
};
