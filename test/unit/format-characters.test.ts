/**
 * Invisible format characters (Unicode Cf and the tag block) make look-alike names: refused in every identity
 * field with the character's code point and position, and dropped from the free text sent to the team chat.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { postToTeamOnce } from '../../activities/kit/chat';
import { SqliteDeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';
import { operatorNameSchema } from '../../src/stores/operators/store';
import { draftSchema } from '../../workflows/content-publishing/definition';
import { customerSchema } from '../../workflows/customer-onboarding/definition';
import { InputError, parseInput } from '../../workflows/kit/input';
import { newHireSchema } from '../../workflows/onboarding/definition';

const INVISIBLE: Array<[string, string]> = [
  ['\u200b', 'U+200B zero-width space'],
  ['\u200c', 'U+200C zero-width non-joiner'],
  ['\u200d', 'U+200D zero-width joiner'],
  ['\u2060', 'U+2060 word joiner'],
  ['\ufeff', 'U+FEFF zero-width no-break space (byte order mark)'],
  ['\u200e', 'U+200E left-to-right mark'],
  ['\u200f', 'U+200F right-to-left mark'],
  ['\u00ad', 'U+00AD soft hyphen'],
  ['\u{e0041}', 'U+E0041 tag character'],
  ['\u{e007f}', 'U+E007F tag character'],
];

const hire = { employeeId: 'E-1042', fullName: 'Ada Lovelace', email: 'ada@example.com', role: 'engineer', team: 'Platform' };
const validHire = () => ({ ...hire, managerEmail: 'grace@example.com', startDate: '2026-12-01' });
const customer = () => ({
  customerId: 'C-1001',
  company: 'Acme',
  plan: 'growth',
  contactName: 'Ada Lovelace',
  contactEmail: 'ada@acme.example',
});
const draft = () => ({
  contentId: 'hello-world',
  title: 'Hello',
  body: '# Hello\n',
  author: { name: 'Ada Lovelace', email: 'ada@example.com' },
  channels: ['site'],
  publishAt: '2026-12-01T09:00:00Z',
});

/** The problems parseInput reports for the input, or a failure when it accepts it. */
function problemsOf(schema: Parameters<typeof parseInput>[0], raw: unknown): string[] {
  try {
    parseInput(schema, raw);
  } catch (err) {
    if (err instanceof InputError) return err.problems;
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
}

describe('identity fields refuse invisible format characters', () => {
  it.each(INVISIBLE)('%j in a hire, a customer, an author and an operator name, naming the character and where', (char, named) => {
    const why = `must not hold ${named} (at character 4): invisible characters make look-alike names`;
    const name = `Ada${char} Lovelace`;
    expect(problemsOf(newHireSchema, { ...validHire(), fullName: name })).toEqual([`fullName: ${why}`]);
    expect(problemsOf(newHireSchema, { ...validHire(), team: `Pla${char}tform` })).toEqual([`team: ${why}`]);
    expect(problemsOf(customerSchema, { ...customer(), company: `Acm${char}e` })).toEqual([`company: ${why}`]);
    expect(problemsOf(customerSchema, { ...customer(), contactName: name })).toEqual([`contactName: ${why}`]);
    expect(problemsOf(draftSchema, { ...draft(), author: { ...draft().author, name } })).toEqual([`author.name: ${why}`]);
    expect(problemsOf(operatorNameSchema, `adm${char}in`)).toEqual([`(input): ${why}`]);
    // Ids and addresses are ASCII by their patterns already: still refused.
    expect(problemsOf(newHireSchema, { ...validHire(), email: `ada${char}@example.com` })).toEqual(['email: must be an email address']);
    expect(problemsOf(newHireSchema, { ...validHire(), employeeId: `E-10${char}42` })).toHaveLength(1);
  });

  it('still accepts names in any script, with accents and apostrophes', () => {
    for (const fullName of ['Zoë O’Brien', 'José Ñúñez', '李小龍', 'Σωκράτης', 'محمد علي']) {
      expect(parseInput(newHireSchema, { ...validHire(), fullName }).fullName).toBe(fullName);
    }
  });
});

describe('chat messages drop invisible format characters', () => {
  let dir: string;
  let server: http.Server;
  const received: string[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'overture-format-'));
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push((JSON.parse(body) as { text: string }).text);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('posts free text without them, keeping the joiner of an emoji sequence', async () => {
    const ledger = new SqliteDeliveryLedger(path.join(dir, 'ledger.db'));
    try {
      const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const text = `Draft "Re\u200blease\u2060 notes\u{e0041}" by \u200eAda\u200f: 👩\u200d💻 ready\ufeff`;
      await postToTeamOnce({ webhookUrl, ledger }, 'format-characters', text);
      expect(received).toEqual(['Draft "Release notes" by Ada: 👩\u200d💻 ready']);
    } finally {
      ledger.close();
    }
  });
});
