import { InputError, notJsonProblem, parseFaultSpec, parseInput, safeText } from '../../workflows/kit/input';
import { newHireSchema, onboardingDefinition, onboardingWorkflowId } from '../../workflows/onboarding/definition';
import { draftSchema } from '../../workflows/content-publishing/definition';
import { fileArrivedSchema, pipelineRequestSchema } from '../../workflows/data-pipeline/definition';
import { closeRequestSchema } from '../../workflows/financial-close/definition';
import type { NewHire } from '../../workflows/onboarding/types';

const parseNewHire = (raw: unknown): NewHire => parseInput(newHireSchema, raw, 'onboarding input');
const employeeHiredRoute = onboardingDefinition.events![0]!;
const onboardingProcess = onboardingDefinition;
import { ONBOARDING_STEPS } from '../../workflows/onboarding/shape';

const validHire = () => ({
  employeeId: 'E-1042',
  fullName: 'Ada Lovelace',
  email: 'ada.lovelace@example.com',
  role: 'engineer',
  team: 'Analytical Engines',
  managerEmail: 'charles.babbage@example.com',
  startDate: '2026-12-07',
});

/** Runs parseNewHire on bad input and returns the InputError it must throw. */
function inputErrorOf(raw: unknown): InputError {
  try {
    parseNewHire(raw);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw new Error(`expected an InputError, got ${String(err)}`);
  }
  throw new Error('expected parseNewHire to reject the input');
}

const fieldsOf = (err: InputError) => err.problems.map((p) => p.split(':')[0]);

describe('parseNewHire', () => {
  it('accepts a valid hire and defaults extraPermissions to []', () => {
    expect(parseNewHire(validHire())).toEqual({ ...validHire(), extraPermissions: [] });
  });

  it('keeps given extra permissions and trims names', () => {
    const hire = parseNewHire({ ...validHire(), fullName: '  Ada Lovelace ', extraPermissions: ['vpn:access', 'billing-admin'] });
    expect(hire.fullName).toBe('Ada Lovelace');
    expect(hire.extraPermissions).toEqual(['vpn:access', 'billing-admin']);
  });

  it.each([
    ['employeeId', 'E 1042'],
    ['employeeId', 'ada.lovelace@example.com'],
    ['employeeId', ''],
    ['email', 'ada.lovelace-at-example.com'],
    ['managerEmail', 'charles babbage'],
    ['startDate', '2026-13-40'],
    ['startDate', '07/12/2026'],
    ['role', 'Chief Wizard'],
    ['fullName', '   '],
  ])('names the bad field %s and never its value (%j)', (field, value) => {
    const err = inputErrorOf({ ...validHire(), [field]: value });

    expect(err.problems).toHaveLength(1);
    expect(fieldsOf(err)).toEqual([field]);
    if (value.trim()) {
      for (const problem of err.problems) expect(problem).not.toContain(value);
      expect(err.message).not.toContain(value);
    }
  });

  it('names a bad extra permission by its position, not its value', () => {
    const err = inputErrorOf({ ...validHire(), extraPermissions: ['vpn:access', 'Secret Power!'] });
    expect(fieldsOf(err)).toEqual(['extraPermissions.1']);
    expect(err.message).not.toContain('Secret Power!');
  });

  it('reports an unknown extra field by name', () => {
    const err = inputErrorOf({ ...validHire(), salary: 123456 });
    expect(err.problems).toEqual(['(input): unknown field(s) salary']);
    expect(err.message).not.toContain('123456');
  });

  it('reports every missing field', () => {
    const partial: Partial<ReturnType<typeof validHire>> = validHire();
    delete partial.email;
    delete partial.startDate;
    const err = inputErrorOf(partial);
    expect(fieldsOf(err).sort()).toEqual(['email', 'startDate']);
  });

  it('reports every field of an empty object', () => {
    const err = inputErrorOf({});
    expect(fieldsOf(err).sort()).toEqual(['email', 'employeeId', 'fullName', 'managerEmail', 'role', 'startDate', 'team']);
  });

  it.each([[null], ['ada'], [42], [['E1']], [undefined]])('refuses non-object input %j', (raw) => {
    const err = inputErrorOf(raw);
    expect(err.problems).toEqual(['(input): must be a JSON object']);
  });

  it('reports several bad fields at once, with none of the personal values', () => {
    const bad = {
      ...validHire(),
      employeeId: 'grace hopper',
      email: 'grace@',
      managerEmail: 'not-an-email',
      startDate: '2026-13-40',
      nickname: 'Amazing Grace',
    };
    const err = inputErrorOf(bad);

    expect(fieldsOf(err).sort()).toEqual(['(input)', 'email', 'employeeId', 'managerEmail', 'startDate']);
    for (const value of ['grace hopper', 'grace@', 'not-an-email', '2026-13-40', 'Amazing Grace']) {
      expect(err.message).not.toContain(value);
      for (const problem of err.problems) expect(problem).not.toContain(value);
    }
    expect(err.message).toMatch(/^invalid onboarding input:\n {2}- /);
  });
});

describe('parseFaultSpec', () => {
  it.each([
    ['createWorkspace=transient:2', { step: 'createWorkspace', fault: { kind: 'transient', failures: 2 } }],
    ['createWorkspace=permanent', { step: 'createWorkspace', fault: { kind: 'permanent' } }],
    ['createWorkspace=latency:500', { step: 'createWorkspace', fault: { kind: 'latency', ms: 500 } }],
    ['sendWelcomeEmail=latency:0', { step: 'sendWelcomeEmail', fault: { kind: 'latency', ms: 0 } }],
    ['notifyTeam=transient:10', { step: 'notifyTeam', fault: { kind: 'transient', failures: 10 } }],
  ])('accepts %s', (spec, expected) => {
    expect(parseFaultSpec(spec, ONBOARDING_STEPS)).toEqual(expected);
  });

  it('accepts none as "no fault"', () => {
    const parsed = parseFaultSpec('createWorkspace=none', ONBOARDING_STEPS);
    expect(parsed).toEqual({ step: 'createWorkspace' });
    expect(parsed.fault).toBeUndefined();
  });

  it.each([
    ['launchRocket=permanent', /unknown step launchRocket/],
    ['createworkspace=permanent', /unknown step/],
    ['createWorkspace=transient:0', /mode must be/],
    ['createWorkspace=transient', /mode must be/],
    ['createWorkspace=transient:-1', /mode must be/],
    ['createWorkspace=transient:2x', /mode must be/],
    ['createWorkspace=latency:', /mode must be/],
    ['createWorkspace=latency:1.5', /mode must be/],
    ['createWorkspace=permanent:3', /mode must be/],
    ['createWorkspace=explode', /mode must be/],
    ['createWorkspace=transient:2:5', /mode must be/],
    ['createWorkspace=latency:500:9', /mode must be/],
    ['createWorkspace=none:3', /mode must be/],
    ['createWorkspace=permanent=oops', /expected step=mode/],
    ['createWorkspace=', /expected step=mode/],
    ['createWorkspace', /expected step=mode/],
    ['=permanent', /expected step=mode/],
  ])('rejects %s with an InputError', (spec, message) => {
    let thrown: unknown;
    try {
      parseFaultSpec(spec, ONBOARDING_STEPS);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InputError);
    const err = thrown as InputError;
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(message);
  });
});

describe('free text that cannot hurt (safeText and every process input)', () => {
  const HOSTILE: Array<[string, string]> = [
    ['CR LF', 'Ada\r\nBcc: mallory@evil.example'],
    ['LF', 'Ada\nforged log line'],
    ['NUL', 'Ada\u0000'],
    ['ESC', 'Ada\u001b[2J'],
    ['TAB', 'Ada\tLovelace'],
    ['DEL', 'Ada\u007f'],
    ['C1 NEL', 'Ada\u0085Lovelace'],
    ['RLO', 'Ada \u202egnp.exe'],
    ['LRE', 'Ada \u202aLovelace'],
    ['RLI', 'Ada \u2067Lovelace'],
    ['PDI', 'Ada \u2069Lovelace'],
    ['line separator', 'Ada\u2028Lovelace'],
    ['paragraph separator', 'Ada\u2029Lovelace'],
    ['lone high surrogate', 'Ada \ud83dLovelace'],
    ['lone low surrogate', 'Ada \ude00Lovelace'],
  ];

  it.each(HOSTILE)('safeText refuses %s, naming no value', (_what, value) => {
    const result = safeText({ max: 200 }).safeParse(value);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error!.issues)).not.toContain('Lovelace');
  });

  it('safeText keeps ordinary names, accents, emoji and other scripts', () => {
    for (const name of ['Ada Lovelace', 'Zoë Ångström-Nuñez', 'Ada 😀 Lovelace', '李小龍', 'أدا لوفليس', "O'Brien (Ops)"]) {
      expect(safeText({ max: 200 }).parse(name)).toBe(name);
    }
  });

  it('safeText bounds the length and refuses non-strings', () => {
    expect(safeText({ max: 5 }).safeParse('abcdef').success).toBe(false);
    expect(safeText({ max: 5 }).safeParse('abcde').success).toBe(true);
    expect(safeText({ max: 5 }).safeParse(5).success).toBe(false);
  });

  it('multiline safeText allows LF and TAB, and nothing else of those', () => {
    const markdown = safeText({ max: 1000, multiline: true, min: 0 });
    expect(markdown.parse('# Title\n\n\tcode\n')).toBe('# Title\n\n\tcode\n');
    for (const value of ['line\r\nbreak', 'esc \u001b[31m', 'bidi \u202e', 'sep \u2028', 'nul \u0000', 'lone \ud800']) {
      expect(markdown.safeParse(value).success).toBe(false);
    }
  });

  it.each(HOSTILE)('onboarding refuses %s in fullName and team, naming the field and not the value', (_what, value) => {
    for (const field of ['fullName', 'team']) {
      const err = inputErrorOf({ ...validHire(), [field]: value });
      expect(fieldsOf(err)).toEqual([field]);
      expect(err.message).toContain('must be plain text');
      expect(err.message).not.toContain('Lovelace');
      expect(err.message).not.toContain('mallory');
    }
  });

  it('onboarding keeps chat markup as text for the webhook to escape', () => {
    expect(parseNewHire({ ...validHire(), team: '<!channel> <https://evil.example|sso.company.com>' }).team).toBe(
      '<!channel> <https://evil.example|sso.company.com>',
    );
  });

  it('normalises the employee id to upper case, so two spellings are one employee and one workflow id', () => {
    const lower = parseNewHire({ ...validHire(), employeeId: 'n13' });
    const upper = parseNewHire({ ...validHire(), employeeId: 'N13' });
    expect(lower.employeeId).toBe('N13');
    expect(upper.employeeId).toBe('N13');
    expect(onboardingProcess.workflowId(lower)).toBe('onboarding-N13');
    expect(onboardingProcess.workflowId(upper)).toBe(onboardingProcess.workflowId(lower));
    expect(onboardingWorkflowId('n13')).toBe('onboarding-N13');
    expect(employeeHiredRoute.workflowId(employeeHiredRoute.schema.parse({ ...validHire(), employeeId: 'e-1042' }))).toBe(
      'onboarding-E-1042',
    );
  });

  it('bounds the email addresses', () => {
    const long = `${'a'.repeat(250)}@example.com`;
    expect(fieldsOf(inputErrorOf({ ...validHire(), email: long }))).toEqual(['email']);
  });

  const draft = () => ({
    contentId: 'hello-world',
    title: 'Hello, world',
    body: '# Hello\n\n\tIndented. [A link](https://example.com)\n',
    author: { name: 'Ada Lovelace', email: 'ada@example.com' },
    channels: ['site'],
    publishAt: '2026-12-01T09:00:00Z',
  });

  it('content publishing accepts a Markdown body with line breaks and tabs', () => {
    expect(draftSchema.parse(draft()).body).toBe(draft().body);
  });

  it.each([
    ['title', (d: ReturnType<typeof draft>, v: string) => ({ ...d, title: v })],
    ['author.name', (d: ReturnType<typeof draft>, v: string) => ({ ...d, author: { ...d.author, name: v } })],
  ])('content publishing refuses hostile text in %s', (field, put) => {
    for (const [, value] of HOSTILE) {
      const err = (() => {
        try {
          parseInput(draftSchema, put(draft(), value), 'draft');
        } catch (e) {
          return e as InputError;
        }
        throw new Error(`accepted ${JSON.stringify(value)} in ${field}`);
      })();
      expect(err.problems.map((p) => p.split(':')[0])).toEqual([field]);
      expect(err.message).not.toContain('Lovelace');
    }
  });

  it.each([['\r\n'], ['\u001b[2J'], ['\u202e'], ['\u2028'], ['\u0000'], ['\ud800']])(
    'content publishing refuses %j in the body, naming only the field',
    (bad) => {
      const result = draftSchema.safeParse({ ...draft(), body: `# Hi\n${bad} secret-body-text` });
      expect(result.success).toBe(false);
      expect(result.error!.issues.map((i) => i.path.join('.'))).toEqual(['body']);
      expect(JSON.stringify(result.error!.issues)).not.toContain('secret-body-text');
    },
  );

  it('the data pipeline refuses a URL with control or bidi characters (the URL parser would drop a tab or LF silently)', () => {
    for (const url of [
      'https://example.com/orders\t-2026-11-01.csv',
      'https://example.com/orders\n-2026-11-01.csv',
      'https://example.com/\u202eorders.csv',
    ]) {
      expect(pipelineRequestSchema.safeParse({ dataset: 'orders', source: { url } }).success).toBe(false);
      expect(fileArrivedSchema.safeParse({ dataset: 'orders', url }).success).toBe(false);
    }
    expect(
      pipelineRequestSchema.safeParse({ dataset: 'orders', source: { url: 'https://example.com/orders-2026-11-01.csv' } }).success,
    ).toBe(true);
  });

  it('the financial close bounds the controller address', () => {
    const close = { period: '2026-10', entities: ['acme-us'], controllerEmail: `${'c'.repeat(250)}@example.com` };
    expect(closeRequestSchema.safeParse(close).success).toBe(false);
    expect(closeRequestSchema.safeParse({ ...close, controllerEmail: 'controller@example.com' }).success).toBe(true);
  });
});

describe('notJsonProblem', () => {
  it.each([
    ['secret-ada-lovelace', 'not valid JSON (at position 0)'],
    ['{"name": Ada Lovelace}', 'not valid JSON (at position 9)'],
    ['{"name": "Ada",}', 'not valid JSON (at position 15)'],
    ['{"name": "Ada"} trailing-secret', 'not valid JSON (at position 16)'],
    ['{"name": "Ada', 'not valid JSON (it ends too soon)'],
    ['', 'not valid JSON (it ends too soon)'],
  ])('says where %j breaks, without quoting it', (text, expected) => {
    const problem = notJsonProblem(text);
    expect(problem).toBe(expected);
    for (const secret of ['Ada', 'secret', 'Lovelace']) expect(problem).not.toContain(secret);
  });
});
