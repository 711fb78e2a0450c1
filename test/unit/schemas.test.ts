import { InputError, parseFaultSpec, parseNewHire } from '../../src/schemas';
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
