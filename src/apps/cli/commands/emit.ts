/**
 * `overture emit TYPE FILE|-`: sends an event to the gateway as a configured source would, signed with the
 * source's secret, and says what became of it.
 */
import { parseArgs } from 'node:util';
import type { OvertureConfig } from '../../../config/platform';
import { readInput, UsageError, type Io } from '../io';
import { envelopeFrom, postEvent, type GatewayReply } from '../../events/emit';
import { EVENT_TYPE_PATTERN } from '../../events/envelope';
import { loadEventSources, secretOf } from '../../events/sources';
import { redactUrl, redactUrlsIn } from '../../../config/redact-url';
import type { CliCommand } from '../command';

const DEFAULT_SOURCE = 'local';

/** One line per outcome the gateway can give. */
function describeReply(reply: GatewayReply, eventId: string): string {
  const body = reply.body;
  const run = `${String(body.workflowId)} (run ${String(body.runId)})`;
  if (body.duplicate === true) return `duplicate: event ${eventId} was already delivered to ${run}; nothing sent again`;
  return body.started === true ? `started ${run} with event ${eventId}` : `delivered event ${eventId} to ${run}`;
}

/** The gateway's refusal, with each bad field it named. */
function describeRefusal(reply: GatewayReply): string {
  const problems = Array.isArray(reply.body.problems) ? (reply.body.problems as Array<{ path?: string; message?: string }>) : [];
  const known = Array.isArray(reply.body.knownTypes) ? `\nknown event types: ${(reply.body.knownTypes as string[]).join(', ')}` : '';
  const lines = problems.map((p) => `  - ${p.path ? `${p.path}: ` : ''}${p.message ?? ''}`);
  return (
    [`refused (${reply.status}): ${typeof reply.body.error === 'string' ? reply.body.error : 'no reason given'}`, ...lines].join('\n') +
    known
  );
}

/** Runs `emit`; exit 0 when accepted or a duplicate, 2 when the event is invalid, 1 on any other refusal. */
export async function emit(config: OvertureConfig, args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { source: { type: 'string' }, url: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (positionals.length !== 2) throw new UsageError('emit takes TYPE FILE (or - for stdin)');
  const [type, file] = positionals as [string, string];
  if (!EVENT_TYPE_PATTERN.test(type)) throw new UsageError(`"${type}" is not an event type (lowercase letters, digits, ".", "_" or "-")`);
  const url = values.url ?? config.eventsUrl;
  if (!URL.canParse(url)) throw new UsageError(`--url must be the gateway's URL, e.g. ${config.eventsUrl}`);
  const { envelope, generatedId } = envelopeFrom(readInput(file, io));
  const source = values.source ?? DEFAULT_SOURCE;
  const { sources, origin } = loadEventSources(config);
  const secret = secretOf(sources, source);
  if (!secret) throw new UsageError(`no source "${source}" in ${origin}; sources are ${Object.keys(sources).join(', ') || '(none)'}`);

  if (generatedId && !values.json) io.stdout(`event id ${envelope.id} (generated: give the file {"id": ..., "data": ...} to choose it)`);
  let reply: GatewayReply;
  try {
    reply = await postEvent(url, type, source, secret, envelope);
  } catch (err) {
    const cause = redactUrlsIn(err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err));
    io.stderr(`cannot reach the event gateway at ${redactUrl(url)}: ${cause}\nIs the stack running? Start it with: npm start`);
    return 1;
  }
  const accepted = reply.status === 202 || (reply.status === 200 && reply.body.duplicate === true);
  if (values.json) io.stdout(JSON.stringify({ status: reply.status, eventId: envelope.id, ...reply.body }));
  else if (accepted) io.stdout(describeReply(reply, envelope.id));
  if (accepted) return 0;
  if (!values.json) io.stderr(describeRefusal(reply));
  return reply.status === 400 ? 2 : 1;
}

/** `overture emit TYPE FILE|-`. */
export const command: CliCommand = {
  name: 'emit',
  args: ['other', 'file'],
  summary: 'send a signed event to the event gateway',
  usage: `usage: overture emit TYPE FILE|- [--source NAME] [--url URL] [--json]

Sends an event of TYPE to the event gateway, signed with the source's secret (event-sources.json in the data
directory). FILE is the event's data, or {"id": ..., "data": ...} to choose its id (- reads stdin).

  --source NAME   the sending source (default ${DEFAULT_SOURCE})
  --url URL       the gateway (default: the configured events URL)
  --json          {status, eventId, ...the gateway's reply: workflowId?, runId?, started?, duplicate?, error?, problems?}

Exit codes: 0 accepted or a duplicate, 2 the event is invalid, 1 any other refusal or no gateway.`,
  options: ['source=', 'url=', 'json'],
  run: (args, io, env) => emit(env.config(), args, io),
};
