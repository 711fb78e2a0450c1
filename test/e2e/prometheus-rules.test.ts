/**
 * The Prometheus rules and the Grafana dashboard, checked with the real tools and real endpoints: `promtool check
 * rules` and `promtool test rules` (each alert fires above its threshold, not below it; a loosened threshold makes
 * the unit tests fail), and every metric the dashboard and the rules name is one Overture exports or one that a
 * real worker, console and gateway show when scraped.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { startEventGateway, type RunningEventGateway } from '../../src/apps/events/server';
import { provisionPromtool } from '../../src/tools/deploy-tools/promtool';
import { findFreePort } from '../../src/tools/dev-stack/temporal-server';
import { CENSUS_METRICS } from '../../src/temporal/observability/metrics-census';
import { HTTP_METRICS } from '../../src/temporal/observability/metrics-http';
import { OVERTURE_METRICS } from '../../workflows/kit/metrics';
import { kill, ROOT, spawnWorker, type WorkerProcess } from '../helpers/processes';
import { scrape } from '../helpers/prometheus';
import { fastOptions, startTestStack, type TestStack } from '../helpers/test-stack';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';

jest.setTimeout(240_000);

const RULES_DIR = path.join(ROOT, 'deploy', 'prometheus', 'rules');
const RULES = path.join(RULES_DIR, 'overture.rules.yml');
const RULE_TESTS = path.join(RULES_DIR, 'overture.rules.test.yml');
const DASHBOARD = path.join(ROOT, 'deploy', 'grafana', 'dashboards', 'overture.json');

let promtool: string;

beforeAll(async () => {
  // Cached by `npm run deploy-tools:provision` (.ci/run); built here only on a machine that skipped it.
  promtool = await provisionPromtool();
}, 1_200_000);

function run(args: string[], cwd = ROOT): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(promtool, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

test('promtool checks the rules and their unit tests pass', async () => {
  const checked = await run(['check', 'rules', RULES]);
  expect(checked).toMatchObject({ code: 0 });
  expect(checked.output).toContain('SUCCESS: 6 rules found');
  const tested = await run(['test', 'rules', RULE_TESTS]);
  expect(tested.output).toContain('SUCCESS');
  expect(tested.code).toBe(0);
});

test('the unit tests catch a threshold moved: each alert is tested below it too', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'overture-rules-'));
  const rules = fs.readFileSync(RULES, 'utf8');
  const loosened = [
    ['step failure ratio', rules.replace('> 0.25', '> 0.05')],
    ['step attempts floor', rules.replace('>= 10', '>= 1')],
    ['injected faults', rules.replace('{class!="injected"}', '')],
    ['degraded hold', rules.replace('for: 1m', 'for: 0m')],
  ] as const;
  for (const [what, text] of loosened) {
    expect([what, text]).not.toEqual([what, rules]);
    fs.writeFileSync(path.join(dir, 'overture.rules.yml'), text);
    fs.copyFileSync(RULE_TESTS, path.join(dir, 'overture.rules.test.yml'));
    const tested = await run(['test', 'rules', 'overture.rules.test.yml'], dir);
    expect([what, tested.code]).toEqual([what, 1]);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The metric names a PromQL expression reads (not its functions, keywords, labels or strings). */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const keywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset']);
  return [...bare.matchAll(/(?<![\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()/g)].map((m) => m[1]!).filter((n) => !keywords.has(n));
}

function dashboardExpressions(): string[] {
  const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
  return dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
}

function ruleExpressions(): { exprs: string[]; recorded: string[] } {
  const file = parse(fs.readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Array<{ expr: string; record?: string }> }> };
  const rules = file.groups.flatMap((g) => g.rules);
  return { exprs: rules.map((r) => r.expr), recorded: rules.flatMap((r) => (r.record ? [r.record] : [])) };
}

describe('against real endpoints', () => {
  let stack: TestStack;
  let worker: WorkerProcess;
  let operatorConsole: RunningConsole;
  let gateway: RunningEventGateway;
  const live = new Set<string>();

  beforeAll(async () => {
    const [workerPort, consolePort, eventsPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
    stack = await startTestStack(
      { METRICS_PORT: String(workerPort), CONSOLE_METRICS_PORT: String(consolePort), EVENTS_METRICS_PORT: String(eventsPort) },
      { worker: false },
    );
    worker = spawnWorker(stack.env);
    await worker.ready;
    operatorConsole = await startOperatorConsole({ client: stack.client, config: stack.config, port: 0 });
    gateway = await startEventGateway({ client: stack.client, config: stack.config, port: 0 });
    const run = await startOnboarding(stack.client, stack.config, newHire(), {
      tuneOptions: fastOptions(),
      faults: { createAccount: { kind: 'transient', failures: 1 } },
    });
    await run.handle.result();
    await fetch(`${operatorConsole.url}/healthz`);
    await fetch(`${gateway.url}/healthz`);
    for (const port of [workerPort, consolePort, eventsPort])
      for (const sample of await scrape(`http://127.0.0.1:${port}/metrics`)) live.add(sample.name);
  }, 180_000);

  afterAll(async () => {
    if (worker) await kill(worker.child, 'SIGTERM');
    await operatorConsole?.stop();
    await gateway?.stop();
    await stack?.stop();
  });

  /** Overture's own names (a histogram's as its three series) and the recording rules': they exist once something is counted. */
  function exported(recorded: string[]): Set<string> {
    const histograms = [OVERTURE_METRICS.personWait, HTTP_METRICS.requestDuration];
    const names = [...Object.values(OVERTURE_METRICS), ...Object.values(CENSUS_METRICS), ...Object.values(HTTP_METRICS), ...recorded];
    return new Set([...names, ...histograms.flatMap((h) => [`${h}_bucket`, `${h}_count`, `${h}_sum`])]);
  }

  test('the dashboard and the rules name only metrics that exist', () => {
    const { exprs, recorded } = ruleExpressions();
    expect(exprs).toHaveLength(6);
    const known = exported(recorded);
    // Sanity of the scrape: the SDK's, Overture's and prom-client's names are all there.
    for (const name of [
      'temporal_workflow_completed',
      OVERTURE_METRICS.stepAttempts,
      // One sample per process even with no run in flight (a gauge of questions has none while nobody is asked).
      CENSUS_METRICS.runsInFlight,
      'process_resident_memory_bytes',
    ])
      expect([name, live.has(name)]).toEqual([name, true]);

    const dashboard = dashboardExpressions();
    expect(dashboard.length).toBeGreaterThan(20);
    const unknown = [...dashboard, ...exprs].flatMap(metricNames).filter((name) => !known.has(name) && !live.has(name));
    expect(unknown).toEqual([]);
    // Every alert's metrics are on the dashboard too, so what alerts can be seen.
    const onDashboard = new Set(dashboard.flatMap(metricNames));
    const alerted = exprs.flatMap(metricNames).filter((n) => !n.includes(':'));
    expect(alerted.filter((n) => !onDashboard.has(n))).toEqual([]);
  });
});

test('metric names are read from PromQL without its functions, labels and keywords', () => {
  expect(
    metricNames(
      'histogram_quantile(0.9, sum by (le, kind) (rate(overture_person_wait_seconds_bucket{kind="a b"}[1h]))) > on (kind) group_left () x',
    ),
  ).toEqual(['overture_person_wait_seconds_bucket', 'x']);
  expect(metricNames('overture:step_attempt_failure_ratio:rate15m > 0.25 and on (step) sum by (step) (increase(y[15m])) >= 10')).toEqual([
    'overture:step_attempt_failure_ratio:rate15m',
    'y',
  ]);
});
