/**
 * The CLI's conventions, for every command in its table: `--help` answers offline (no configuration, no connection,
 * no file), `--json` is an option of every command and verb, the completion scripts parse in their shells, and
 * status icons reach only a person's terminal (never a pipe, never with NO_COLOR).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliCommands, runCli } from '../../src/apps/cli/main';
import { decorates, type Io } from '../../src/apps/cli/io';
import { formatStatus } from '../../src/apps/cli/output';
import type { CliEnv } from '../../src/apps/cli/command';
import { loadConfig } from '../../src/config';
import type { RunStatus } from '../../src/client';

function capture(isTty = false): { io: Io; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t) => out.push(t), stderr: (t) => err.push(t), readStdin: () => '', isTty }, out, err };
}

const commands = cliCommands();
const saved = { ...process.env };
const savedCwd = process.cwd();
let sandbox: string;

beforeEach(() => {
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-conventions-'));
});
afterEach(() => {
  process.chdir(savedCwd);
  process.env = { ...saved };
  fs.rmSync(sandbox, { recursive: true, force: true });
});

describe('overture COMMAND --help', () => {
  beforeEach(() => {
    // An empty home and working directory, a Temporal address nothing answers on, and a configuration that does not
    // even load: --help must need none of them.
    const home = path.join(sandbox, 'home');
    const cwd = path.join(sandbox, 'cwd');
    fs.mkdirSync(home);
    fs.mkdirSync(cwd);
    process.chdir(cwd);
    process.env = { ...saved, HOME: home, TEMPORAL_ADDRESS: '10.255.255.1:7233', SMTP_URL: 'not a url', OVERTURE_TOKEN: '' };
    delete process.env.OVERTURE_DATA_DIR;
  });

  it.each(commands.map((c) => [c.name]))('%s --help prints its own usage at once, offline, and writes nothing', async (name) => {
    const command = commands.find((c) => c.name === name)!;
    for (const args of [
      [name, '--help'],
      [name, '-h'],
      [name, ...(command.verbs ?? []).slice(0, 1), '--help'],
      ['help', name],
    ]) {
      const { io, out, err } = capture();
      const started = Date.now();
      expect(await runCli(args, io)).toBe(0);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(err).toEqual([]);
      expect(out).toEqual([command.usage]);
    }
    expect(command.usage).toMatch(new RegExp(`^usage: overture ${name.replace(/_/g, '_')}\\b`));
    expect(command.usage).toContain('--json');
    expect(fs.readdirSync(path.join(sandbox, 'home'))).toEqual([]);
    expect(fs.readdirSync(path.join(sandbox, 'cwd'))).toEqual([]);
  });

  it('lists every visible command in the top-level usage, and refuses an unknown one with exit 2', async () => {
    const { io, out } = capture();
    expect(await runCli(['--help'], io)).toBe(0);
    for (const c of commands.filter((x) => !x.hidden))
      expect(out[0]).toMatch(new RegExp(`^  ${c.name} +${c.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    const unknown = capture();
    expect(await runCli(['help', 'frobnicate'], unknown.io)).toBe(2);
    expect(unknown.err[0]).toContain('unknown command "frobnicate"');
  });
});

describe('--json on every command', () => {
  /** Each command, and each verb of those that have verbs, with --json. */
  const invocations = commands.flatMap((c) => (c.verbs?.length ? c.verbs.map((v) => [c.name, v]) : [[c.name, '']]));

  it.each(invocations)('%s %s takes --json', async (name, verb) => {
    const command = commands.find((c) => c.name === name)!;
    expect(command.options).toContain('json');
    // The real configuration on an empty data directory; no Temporal at all: a command that needs it stops there.
    const config = loadConfig({ ...saved, OVERTURE_DATA_DIR: sandbox, OVERTURE_TOKEN: '' });
    const noTemporal = new Error('no Temporal in this test');
    const env: CliEnv = { config: () => config, client: () => Promise.reject(noTemporal), commands: () => commands };
    const { io, out } = capture();
    let outcome: unknown;
    try {
      outcome = await command.run([...(verb ? [verb] : []), '--json'], io, env);
    } catch (err) {
      outcome = err;
    }
    // Whatever else is missing (a run id, a name, Temporal), --json itself is never an unknown option.
    expect(String((outcome as Error | undefined)?.message ?? '')).not.toMatch(/Unknown option '--json'/);
    if (outcome === 0) for (const text of out) expect(() => JSON.parse(text) as unknown).not.toThrow();
  });

  it('prints JSON from the offline commands', async () => {
    process.env = { ...saved, OVERTURE_DATA_DIR: sandbox, OVERTURE_TOKEN: '' };
    for (const args of [
      ['processes', '--json'],
      ['operators', 'list', '--json'],
      ['completion', '--json'],
      ['keys', 'rotate', '--json'],
    ]) {
      const { io, out, err } = capture();
      expect({ args, code: await runCli(args, io), err }).toEqual({ args, code: 0, err: [] });
      expect(() => JSON.parse(out.join('\n')) as unknown).not.toThrow();
    }
    const { io, out } = capture();
    await runCli(['keys', 'rotate', '--json'], io);
    expect(JSON.parse(out[0]!)).toEqual({
      file: expect.any(String) as unknown,
      current: expect.any(String) as unknown,
      previous: expect.any(String) as unknown,
    });
  });
});

describe('overture completion', () => {
  const shells = ['bash', 'zsh', 'fish'].filter((shell) => spawnSync(shell, ['-c', 'true']).status === 0);

  // CI installs all three (.ci/run), so there a missing shell is a failure, not a parse check quietly left out.
  it(process.env.CI ? 'has bash, zsh and fish (CI)' : 'has bash at least', () =>
    expect(shells).toEqual(process.env.CI ? ['bash', 'zsh', 'fish'] : expect.arrayContaining(['bash'])),
  );

  it.each(['bash', 'zsh', 'fish'])('prints a %s script that the shell parses (when the shell is installed)', async (shell) => {
    const { io, out } = capture();
    expect(await runCli(['completion', shell], io)).toBe(0);
    const script = out.join('\n');
    for (const c of commands.filter((x) => !x.hidden)) expect(script).toContain(c.name);
    expect(script).toContain('createAccount');
    expect(script).toContain('__complete run-ids');
    if (!shells.includes(shell)) return;
    const file = path.join(sandbox, `overture.${shell}`);
    fs.writeFileSync(file, script);
    expect(spawnSync(shell, ['-n', file], { encoding: 'utf8' })).toMatchObject({ status: 0, stderr: '' });
  });

  it('completes commands, options, verbs, process and step names in bash', async () => {
    const { io, out } = capture();
    await runCli(['completion', 'bash'], io);
    const file = path.join(sandbox, 'overture.bash');
    fs.writeFileSync(file, out.join('\n'));
    const complete = (...words: string[]) =>
      execFileSync(
        'bash',
        ['-c', `source ${file}; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _overture; echo "\${COMPREPLY[*]}"`, '_', ...words],
        {
          encoding: 'utf8',
        },
      )
        .trim()
        .split(' ');
    expect(complete('overture', 'sta')).toEqual(['start', 'status']);
    expect(complete('overture', 'watch', 'ID', '--j')).toEqual(['--json']);
    expect(complete('overture', 'schedule', '')).toEqual(['create', 'list', 'pause', 'unpause', 'trigger', 'delete']);
    expect(complete('overture', 'start', 'onb')).toEqual(['onboarding']);
    expect(complete('overture', 'resolve', 'ID', '--step', 'createA')).toEqual(['createAccount']);
    expect(complete('overture', 'inject', 'ID', 'createA')).toEqual(['createAccount=']);
    expect(complete('overture', 'list', '--status', 'need')).toEqual(['needs_attention']);
  });

  it('refuses an unknown shell with exit 2', async () => {
    const { io, err } = capture();
    expect(await runCli(['completion', 'powershell'], io)).toBe(2);
    expect(err[0]).toContain('completion takes one shell: bash, zsh, fish');
  });
});

describe('status icons', () => {
  const status = {
    workflowId: 'onboarding-E1',
    process: 'onboarding',
    state: 'needs_attention',
    startedAt: '2026-01-01T00:00:00Z',
    steps: [
      { step: 'createAccount', state: 'completed', attempts: 1 },
      { step: 'createWorkspace', state: 'escalated', attempts: 3, lastError: 'down' },
    ],
    questions: [
      {
        id: 'createWorkspace#1',
        kind: 'escalation',
        step: 'createWorkspace',
        open: true,
        openedAt: '2026-01-01T00:01:00Z',
        prompt: 'down',
        choices: [],
      },
    ],
    log: [],
    execution: { status: 'RUNNING', runId: 'r', historyLength: 1 },
  } as unknown as RunStatus;

  it('appear only on a terminal without NO_COLOR', () => {
    const terminal = { isTty: true } as Io;
    expect(decorates(terminal, {})).toBe(true);
    expect(decorates(terminal, { NO_COLOR: '1' })).toBe(false);
    expect(decorates(terminal, { NO_COLOR: '' })).toBe(true); // no-color.org: set to a non-empty value
    expect(decorates({ isTty: false } as Io, {})).toBe(false);
  });

  it('are left out of a status for a pipe, which says the same in words', () => {
    const plain = formatStatus(status, { icons: false });
    expect(plain).not.toMatch(/[✔✖▶↻…·↷–⊘↺]|^! /mu);
    expect(plain).toMatch(/^createAccount\s+completed/m);
    expect(plain).toMatch(/^open: escalated createWorkspace since/m);
    expect(formatStatus(status, { icons: true })).toMatch(/^✔ createAccount\s+completed/m);
  });
});
