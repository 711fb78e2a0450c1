/**
 * 10,000 hostile onboarding inputs through every entry point that starts a run: the CLI (its entry function in
 * process, and a few hundred real `bin/overture.js` processes), the console API over HTTP with an operator's
 * token, and the event gateway over HTTP with valid signatures. No input the contract refuses may start a run,
 * and every input that did start one must have left only safe, bounded fields in the run's history.
 *
 * Seeded (SOAK_FUZZ_SEED, printed): a failure is reproduced with the same seed. The runs start on a task queue
 * no worker polls: what is judged is what the entry points let in, not what the onboarding does with it.
 */
import { randomUUID } from 'node:crypto';
import { runCli } from '../../src/apps/cli/main';
import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { startEventGateway, type RunningEventGateway } from '../../src/apps/events/server';
import { signedHeaders } from '../../src/apps/events/signature';
import { startTestStack, type TestStack } from '../helpers/test-stack';
import { runOverture } from '../helpers/processes';
import { addOperator } from '../helpers/operators';
import { inPool, median, reportFigures, secondsSince, soakSize } from './figures';
import { holdsFormatCharacter, hostileCases, mustRefuse, storedProblems, type HostileCase } from './hostile-hires';
import { startArgumentOf } from './stored-input';

const TOTAL = soakSize('SOAK_FUZZ', 10_000);
/** Real CLI processes: each costs a Node start and a TypeScript compile (~2 s of CPU), so a hundred, the rest in process. */
const SPAWNS = Math.min(soakSize('SOAK_FUZZ_SPAWNS', 100), Math.floor(TOTAL / 10));
const SEED = Number(process.env.SOAK_FUZZ_SEED ?? Date.now() % 2_147_483_647);
const HR_SECRET = 's'.repeat(64);

type EntryPoint = 'cli' | 'cli-process' | 'console' | 'gateway';
type Verdict = { accepted: true; workflowId: string } | { accepted: false } | { unexpected: string };

let stack: TestStack;
let console_: RunningConsole;
let gateway: RunningEventGateway;
let operatorToken: string;
let csrfToken: string;

beforeAll(async () => {
  // No worker: accepted runs wait on their queue, and their input is read from the history.
  stack = await startTestStack(
    { EVENT_SOURCES: JSON.stringify({ hr: { secret: HR_SECRET, types: ['hr.employee-hired'] } }) },
    { worker: false },
  );
  // The CLI's entry function reads its configuration from the environment, as the real process does.
  Object.assign(process.env, stack.env);
  operatorToken = addOperator(stack.config.OVERTURE_DATA_DIR, 'Fuzz Operator', 'operator').token;
  console_ = await startOperatorConsole({ client: stack.client, config: stack.config, host: '127.0.0.1', port: 0, log: () => undefined });
  gateway = await startEventGateway({ client: stack.client, config: stack.config, port: 0, log: () => undefined });
  const session = await fetch(`${console_.url}/api/session`, { headers: { Authorization: `Bearer ${operatorToken}` } });
  csrfToken = ((await session.json()) as { csrfToken: string }).csrfToken;
}, 60_000);
afterAll(async () => {
  await gateway?.stop();
  await console_?.stop();
  await stack?.stop();
});

/** The CLI's entry function, as `overture onboard - --json` with the case on stdin. */
async function throughCli(item: HostileCase): Promise<Verdict> {
  let stdout = '';
  let stderr = '';
  const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t), readStdin: () => item.text, isTty: false };
  const code = await runCli(['onboard', '-', '--json'], io);
  return cliVerdict(code, stdout, stderr);
}

async function throughCliProcess(item: HostileCase): Promise<Verdict> {
  const result = await runOverture(['onboard', '-', '--json'], stack.env, item.text);
  return cliVerdict(result.code, result.stdout, result.stderr);
}

function cliVerdict(code: number, stdout: string, stderr: string): Verdict {
  if (code === 0) return { accepted: true, workflowId: (JSON.parse(stdout) as { workflowId: string }).workflowId };
  if (code === 2) return { accepted: false };
  return { unexpected: `exit ${code}: ${stderr.slice(0, 200)}` };
}

async function throughConsole(item: HostileCase): Promise<Verdict> {
  const response = await fetch(`${console_.url}/api/runs`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${operatorToken}`,
      'X-CSRF-Token': csrfToken,
      'Content-Type': 'application/json',
      Origin: console_.url,
    },
    body: `{"process":"onboarding","input":${item.text}}`,
  });
  const body = (await response.json()) as { workflowId?: string; error?: string };
  if (response.status === 200 || response.status === 201) return { accepted: true, workflowId: body.workflowId! };
  if (response.status === 400) return { accepted: false };
  return { unexpected: `HTTP ${response.status}: ${JSON.stringify(body).slice(0, 200)}` };
}

async function throughGateway(item: HostileCase): Promise<Verdict> {
  const body = `{"id":"fuzz-${randomUUID()}","data":${item.text}}`;
  const response = await fetch(`${gateway.url}/events/hr.employee-hired`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...signedHeaders('hr', HR_SECRET, body) },
    body,
  });
  const answer = (await response.json()) as { workflowId?: string };
  if (response.status === 202) return { accepted: true, workflowId: answer.workflowId! };
  if (response.status === 400) return { accepted: false };
  return { unexpected: `HTTP ${response.status}: ${JSON.stringify(answer).slice(0, 200)}` };
}

const THROUGH: Record<EntryPoint, (item: HostileCase) => Promise<Verdict>> = {
  cli: throughCli,
  'cli-process': throughCliProcess,
  console: throughConsole,
  gateway: throughGateway,
};

interface Judged {
  entry: EntryPoint;
  item: HostileCase;
  verdict: Verdict;
  /** Why the contract refuses it; set only when it was accepted anyway. */
  wronglyAccepted?: string[];
  ms: number;
}

it(`${TOTAL} hostile inputs through the CLI, the console API and the event gateway: none wrongly accepted`, async () => {
  const startedAt = Date.now();
  const cases = hostileCases(TOTAL, SEED);
  // The spawned CLI's share first in the list, then the rest dealt in turn to the three entry points.
  const entries: EntryPoint[] = cases.map((_, i) =>
    i < SPAWNS ? 'cli-process' : (['cli', 'console', 'gateway'] as const)[(i - SPAWNS) % 3]!,
  );

  const judge = async (item: HostileCase, i: number): Promise<Judged> => {
    const entry = entries[i]!;
    const began = Date.now();
    const verdict = await THROUGH[entry](item).catch((err: unknown) => ({ unexpected: String(err) }));
    const ms = Date.now() - began;
    if (!('accepted' in verdict) || !verdict.accepted) return { entry, item, verdict, ms };
    const refusals = mustRefuse(item.text);
    const stored = storedProblems(
      ((await startArgumentOf(stack.client, stack.dataConverter, verdict.workflowId)) as { hire: unknown }).hire,
    );
    const wrong = [...refusals, ...stored.map((p) => `stored: ${p}`)];
    return { entry, item, verdict, ms, ...(wrong.length ? { wronglyAccepted: wrong } : {}) };
  };
  // The real CLI processes two at a time beside the rest: each is a Node start and a compile, mostly CPU.
  const [spawned, inProcess] = await Promise.all([
    inPool(cases.slice(0, SPAWNS), 2, (item, i) => judge(item, i)),
    inPool(cases.slice(SPAWNS), 8, (item, i) => judge(item, i + SPAWNS)),
  ]);
  const judged = [...spawned, ...inProcess];

  const wrong = judged.filter((j) => j.wronglyAccepted);
  const unexpected = judged.filter((j) => 'unexpected' in j.verdict);
  const accepted = judged.filter((j) => 'accepted' in j.verdict && j.verdict.accepted);
  const refusedValid = judged.filter((j) => 'accepted' in j.verdict && !j.verdict.accepted && mustRefuse(j.item.text).length === 0);
  const byEntry = (entry: EntryPoint) => judged.filter((j) => j.entry === entry);
  const formatOnly = wrong.filter((j) => holdsFormatCharacter(j.item.text) && mustRefuse(j.item.text).length === 0);
  reportFigures('fuzzed inputs through every entry point', {
    seed: `${SEED} (SOAK_FUZZ_SEED=${SEED} repeats it)`,
    inputs: judged.length,
    'per entry point': (['cli', 'cli-process', 'console', 'gateway'] as const)
      .map((e) => `${e} ${byEntry(e).length} (median ${median(byEntry(e).map((j) => j.ms))} ms)`)
      .join(', '),
    accepted: accepted.length,
    refused: judged.length - accepted.length - unexpected.length,
    'refused though the oracle allows it (a format character: refused, not stripped)': refusedValid.length,
    'unexpected answers': unexpected.length,
    'wrongly accepted': wrong.length,
    '  of which only a format (Cf) character': formatOnly.length,
    'wall time': secondsSince(startedAt),
  });
  const show = (list: Judged[]) =>
    list.slice(0, 10).map((j) => ({ entry: j.entry, made: j.item.made, why: j.wronglyAccepted, verdict: j.verdict }));
  expect(show(unexpected)).toEqual([]);
  expect(show(wrong)).toEqual([]);
  // A generator that made nothing acceptable, or nothing refusable, would prove nothing.
  expect(accepted.length).toBeGreaterThan(judged.length / 20);
  expect(judged.length - accepted.length).toBeGreaterThan(judged.length / 2);
}, 1_800_000);
