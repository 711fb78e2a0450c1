/**
 * Input that cannot hurt, end to end: hostile names and teams through a real run, the real local SMTP server
 * and webhook receiver; refused control characters and ids spelled twice through the CLI; JSON errors that
 * quote nothing; and output piped whole to another program with the right exit code.
 */
import path from 'node:path';
import nodemailer from 'nodemailer';
import { WorkflowNotFoundError } from '@temporalio/client';
import { startProcess } from '../../src/client';
import { SqliteDeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';
import { sendEmailOnce } from '../../activities/kit/mail';
import { postToTeamOnce } from '../../activities/kit/chat';
import { eventually, startTestStack, statusWhen, type TestStack } from '../helpers/test-stack';
import { runCommand, runOverture } from '../helpers/processes';
import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { hasUnsafeText } from '../../workflows/kit/safe-text';
import { addOperator } from '../helpers/operators';
import { newHire } from '../processes/onboarding/helpers';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack.stop());

/** The header block of a raw message, one logical header a line (folded lines joined). */
function headersOf(raw: string): string[] {
  const head = raw.split(/\r?\n\r?\n/)[0]!;
  return head.split(/\r?\n(?![ \t])/);
}

describe('a hostile name and team reach chat and email as plain text', () => {
  it('escapes chat markup in the webhook post, and adds no header or recipient to the welcome email', async () => {
    const base = newHire();
    const hire = {
      ...base,
      fullName: `=?utf-8?B?QWRtaW4gVGVhbQ==?= <!channel> Lovelace-${base.employeeId}`,
      team: '<https://evil.example|sso.company.com> <!everyone> R&D Bcc: mallory@evil.example',
    };
    const started = await startProcess(stack.client, stack.config, 'onboarding', hire);
    await statusWhen(stack, started.workflowId, (s) => s.state === 'completed', 'the run to complete', 30_000);

    const posts = stack.webhooks.received().filter((w) => JSON.stringify(w.body).includes(`Lovelace-${hire.employeeId}`));
    expect(posts).toHaveLength(1);
    const text = (posts[0]!.body as { text: string }).text;
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toContain('&lt;!everyone&gt;');
    expect(text).toContain('&lt;https://evil.example|sso.company.com&gt;');
    expect(text).toContain('R&amp;D');
    expect(text).not.toMatch(/[<>]/);
    expect(text.startsWith(':wave: ')).toBe(true);

    const mails = stack.mail.messages().filter((m) => m.to.includes(hire.email));
    expect(mails).toHaveLength(1);
    const welcome = mails[0]!;
    expect(welcome.to).toEqual([hire.email]);
    const headers = headersOf(welcome.raw);
    expect(headers.filter((h) => /^bcc:/i.test(h))).toEqual([]);
    expect(headers.filter((h) => /^(to|cc):/i.test(h)).join('\n')).not.toContain('mallory');
    // The encoded word in the name is broken up: the reader shows it as typed, not decoded to "Admin Team".
    expect(welcome.subject).toContain('QWRtaW4gVGVhbQ==');
    expect(welcome.subject).not.toContain('Admin Team');
    // The "Bcc:" in the team is text of the subject and body, not a header.
    expect(welcome.subject).toContain('Bcc: mallory@evil.example');
  });

  it('the activities alone keep a CR/LF subject from adding a header, and escape any webhook text', async () => {
    const ledger = new SqliteDeliveryLedger(path.join(stack.config.OVERTURE_DATA_DIR, `hostile-${Date.now()}.db`));
    const transport = nodemailer.createTransport(stack.config.smtpUrl);
    try {
      const key = `hostile-${Date.now()}`;
      await sendEmailOnce(
        { transport, from: 'overture@example.com', ledger },
        `${key}/mail`,
        'ada@example.com',
        'Hello\r\nBcc: mallory@evil.example\r\nX-Evil: 1',
        'Bcc: not-a-header@example.com',
      );
      const mail = await stack.mail.waitFor((m) => m.subject.startsWith('Hello'), 10_000);
      expect(mail.to).toEqual(['ada@example.com']);
      const headers = headersOf(mail.raw);
      expect(headers.filter((h) => /^(bcc|x-evil):/i.test(h))).toEqual([]);
      expect(mail.subject).toBe('Hello Bcc: mallory@evil.example X-Evil: 1');
      expect(mail.text.trim()).toBe('Bcc: not-a-header@example.com');

      await postToTeamOnce(
        { webhookUrl: stack.webhooks.url, ledger },
        `${key}/chat`,
        ':rotating_light: resolved by <!channel> (<https://evil.example|sso.company.com>)',
      );
      const post = await stack.webhooks.waitFor((w) => w.headers['x-idempotency-key'] === `${key}/chat`, 10_000);
      expect((post.body as { text: string }).text).toBe(
        ':rotating_light: resolved by &lt;!channel&gt; (&lt;https://evil.example|sso.company.com&gt;)',
      );
    } finally {
      transport.close();
      ledger.close();
    }
  });
});

describe('the CLI refuses what could hurt, and says so without echoing it', () => {
  it.each([
    ['team', 'Ops\r\nBcc: mallory@evil.example'],
    ['fullName', 'Ada\u001b[2JLovelace'],
    ['fullName', 'Ada \u202eecalevoL'],
    ['team', 'Ops\u2028Lovelace'],
  ])('refuses a control or direction character in %s with exit 2 and starts nothing', async (field, value) => {
    const hire = { ...newHire(), [field]: value };
    const result = await runOverture(['onboard', '-'], stack.env, JSON.stringify(hire));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${field}: must be plain text`);
    expect(result.stderr).not.toContain('Lovelace');
    expect(result.stderr).not.toContain('mallory');
    await expect(stack.client.workflow.getHandle(`onboarding-${hire.employeeId}`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('two spellings of an employee id are one run', async () => {
    const hire = newHire();
    const lower = await runOverture(
      ['onboard', '-', '--json', '--inject', 'createAccount=latency:3000'],
      stack.env,
      JSON.stringify({ ...hire, employeeId: hire.employeeId.toLowerCase() }),
    );
    expect(lower.stderr).toBe('');
    expect(lower.code).toBe(0);
    const upper = await runOverture(['onboard', '-', '--json'], stack.env, JSON.stringify(hire));
    expect(upper.code).toBe(0);
    const [first, second] = [JSON.parse(lower.stdout), JSON.parse(upper.stdout)] as Array<{
      workflowId: string;
      runId: string;
      alreadyStarted: boolean;
    }>;
    expect(first).toMatchObject({ workflowId: `onboarding-${hire.employeeId.toUpperCase()}`, alreadyStarted: false });
    expect(second).toMatchObject({ workflowId: first!.workflowId, runId: first!.runId, alreadyStarted: true });
    await statusWhen(stack, first!.workflowId, (s) => s.state === 'completed', 'the run to complete', 30_000);
    expect(stack.directory.inventory(hire.employeeId.toUpperCase()).accounts).toHaveLength(1);
    expect(stack.directory.inventory(hire.employeeId.toLowerCase()).accounts).toHaveLength(0);
  });

  it('a malformed input file: where it breaks, never what it says', async () => {
    const result = await runOverture(['onboard', '-'], stack.env, '{"fullName": Ada Lovelace, "ssn": "123-45-6789"}');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('(input): not valid JSON (at position 13)');
    for (const secret of ['Ada', 'Lovelace', '123-45-6789']) expect(result.stderr).not.toContain(secret);
  });

  it.each([['null'], ['[1,2]'], ['42'], ['"text"'], ['{"a": 1}'], ['{not json: secret-value}']])(
    '--output %s is a usage mistake (exit 2), not a crash',
    async (output) => {
      for (const args of [
        ['resolve', 'onboarding-NO-SUCH-RUN', '--step', 'createWorkspace', '--action', 'skip', '--output', output],
        ['approve', 'onboarding-NO-SUCH-RUN', '--decision', 'approve', '--output', output],
        ['complete', 'onboarding-NO-SUCH-RUN', '--step', 'requestEquipment', '--output', output],
      ]) {
        const result = await runOverture(args, stack.env);
        expect(result.stderr).toMatch(/^--output must be a JSON object of strings/);
        expect(result.stderr).not.toContain('secret-value');
        expect(result.stderr).not.toMatch(/TypeError|at .*\.ts:\d+/);
        expect(result.code).toBe(2);
      }
    },
  );
});

/** Reads all of stdin after a pause, parses it as JSON and prints its length and size: a slow consumer. */
const PARSER =
  "setTimeout(() => { let t = ''; process.stdin.on('data', (c) => (t += c)); process.stdin.on('end', () => { const v = JSON.parse(t); console.log(JSON.stringify({ count: v.length, bytes: Buffer.byteLength(t) })); }); }, 1500)";

/**
 * Runs `overture ARGS | node -e PARSER` in bash: one OS pipe of 64 KiB between the two, as in a terminal
 * (Node's own child pipes are socket pairs with much larger buffers, which would hide a cut). Resolves to the
 * parser's output and both exit codes.
 */
async function pipeThroughParser(
  args: string[],
  env: Record<string, string>,
): Promise<{ cliCode: number; parserCode: number; parsed: string; cliStderr: string }> {
  const script = `"${process.execPath}" bin/overture.js "$@" 2>&3 | "${process.execPath}" -e "$PARSER"; echo "exit codes: \${PIPESTATUS[0]} \${PIPESTATUS[1]}"`;
  const result = await runCommand('bash', ['-c', `exec 3>&2; ${script}`, 'bash', ...args], { ...env, PARSER });
  const codes = /exit codes: (\d+) (\d+)\s*$/.exec(result.stdout);
  if (!codes) throw new Error(`no exit codes in ${result.stdout}`);
  return {
    cliCode: Number(codes[1]),
    parserCode: Number(codes[2]),
    parsed: result.stdout.slice(0, codes.index).trim(),
    cliStderr: result.stderr,
  };
}

describe('output piped to another program', () => {
  it('list --json of >120 KiB arrives whole, with exit code 0', async () => {
    // Runs on a task queue no worker polls: they stay open, cheap, and listed with their process attribute.
    const queue = `pipe-${Date.now()}`;
    const config = { ...stack.config, TEMPORAL_TASK_QUEUE: queue };
    const count = 500;
    const stamp = Date.now().toString(36).toUpperCase();
    const ids: string[] = [];
    for (let batch = 0; batch < count; batch += 25) {
      const started = await Promise.all(
        Array.from({ length: Math.min(25, count - batch) }, (_, i) => {
          const employeeId = `P${stamp}-${batch + i}-`.padEnd(64, 'X');
          return startProcess(
            stack.client,
            config,
            'onboarding',
            newHire({ employeeId, email: `p${batch + i}.${stamp.toLowerCase()}@example.com` }),
          );
        }),
      );
      ids.push(...started.map((s) => s.workflowId));
    }
    try {
      await eventually(
        async () => {
          const listed = await runOverture(['list', '--task-queue', queue, '--json'], stack.env);
          return (JSON.parse(listed.stdout) as unknown[]).length === count || undefined;
        },
        30_000,
        'every run to be listed',
      );

      const piped = await pipeThroughParser(['list', '--task-queue', queue, '--json'], stack.env);
      expect(piped.cliStderr).toBe('');
      expect(piped.parserCode).toBe(0);
      const summary = JSON.parse(piped.parsed) as { count: number; bytes: number };
      expect(summary.count).toBe(count);
      expect(summary.bytes).toBeGreaterThan(120 * 1024);
      expect(piped.cliCode).toBe(0);

      // The exit code is still the command's when stdout is a pipe: a run that does not exist is 1.
      const missing = await pipeThroughParser(['status', 'onboarding-NO-SUCH-RUN', '--json'], stack.env);
      expect(missing.cliCode).toBe(1);
    } finally {
      await Promise.all(
        ids.map((id) =>
          stack.client.workflow
            .getHandle(id)
            .terminate('test done')
            .catch(() => undefined),
        ),
      );
    }
  }, 180_000);
});

describe('the console takes no hostile operator name and quotes no malformed body', () => {
  let TOKEN: string;
  const lines: string[] = [];
  let console_: RunningConsole;

  beforeAll(async () => {
    TOKEN = addOperator(stack.config.OVERTURE_DATA_DIR, 'Zoë Ångström', 'operator').token;
    console_ = await startOperatorConsole({
      client: stack.client,
      config: stack.config,
      host: '127.0.0.1',
      port: 0,
      log: (line) => lines.push(line),
    });
  });
  afterAll(async () => console_?.stop());

  const signIn = (form: Record<string, string>) =>
    fetch(`${console_.url}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: console_.url },
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
    });

  it.each([['Ada\r\n[console] mallory signed in'], ['Ada\u001b[2J'], ['Ada \u202eecalevoL'], ['Ada\u2028Lovelace']])(
    'refuses to register the operator name %j',
    (name) => {
      expect(() => addOperator(stack.config.OVERTURE_DATA_DIR, name, 'viewer')).toThrow(/name: must be plain text/);
    },
  );

  it("signs in as the token's operator; a name sent along is ignored and logged nowhere", async () => {
    const response = await signIn({ token: TOKEN, operator: 'Ada\r\n[console] mallory signed in' });
    expect(response.status).toBe(303);
    expect(lines).toContain('Zoë Ångström signed in (operator)');
    expect(lines.join('\n')).not.toContain('mallory');
    for (const line of lines) expect(hasUnsafeText(line)).toBe(false);
  });

  it('says where a malformed JSON body breaks, not what it says', async () => {
    const session = await fetch(`${console_.url}/api/session`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    const { csrfToken } = (await session.json()) as { csrfToken: string };
    const response = await fetch(`${console_.url}/api/runs`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'X-CSRF-Token': csrfToken, 'Content-Type': 'application/json', Origin: console_.url },
      body: '{"process": "onboarding", "input": {"fullName": Ada Lovelace}}',
    });
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(text).toContain('not valid JSON (at position 48)');
    expect(text).not.toContain('Lovelace');
  });
});
