/**
 * Hostile onboarding inputs and the oracle that judges what an entry point did with them.
 *
 * The generator (fast-check, seeded) starts from a valid new hire and breaks it one way: a dangerous character
 * inside a text field, a length at a bound, a wrong type, a missing or extra field (`__proto__` included), a
 * hostile list, or a body that is not an object or not JSON; some variations stay valid (accented, CJK, emoji
 * names) so that acceptance is exercised too. Each case is the JSON text an entry point receives.
 *
 * The oracle is written from the input contract (README, `overture processes onboarding`), not from the
 * schema's code: `mustRefuse` says why an input may not start a run, and `storedProblems` checks what an accepted
 * input left in the run's history (no control, format, separator or bidi character; within bounds; no stray field).
 */
import fc from 'fast-check';

/** The fields of a new hire, as the contract lists them. */
const FIELDS = ['employeeId', 'fullName', 'email', 'role', 'team', 'managerEmail', 'startDate', 'extraPermissions', 'equipment'];
const REQUIRED = FIELDS.filter((f) => f !== 'extraPermissions' && f !== 'equipment');
const TEXT_FIELDS = ['employeeId', 'fullName', 'email', 'role', 'team', 'managerEmail', 'startDate'] as const;

/** Characters that must never reach a stored field: controls, format characters (zero-width, bidi marks, tags), separators, surrogates. */
const NEVER_STORED = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
/** Of those, the ones refused today whatever else happens (a format character may be refused or stripped). */
const ALWAYS_REFUSED = /[\p{Cc}\p{Zl}\p{Zp}\p{Cs}\u202a-\u202e\u2066-\u2069]/u;
/** Format characters (Unicode category Cf): zero-width spaces and joiners, LRM/RLM/ALM, word joiner, BOM, tags... */
const FORMAT = /\p{Cf}/u;

/** A hostile case: the JSON text sent, and how it was made (for the report of a failure). */
export interface HostileCase {
  text: string;
  made: string;
}

/** Dangerous single characters, by class. Lone surrogates go through JSON as \\udXXX escapes and come back lone. */
const DANGEROUS: Record<string, string[]> = {
  control: ['\u0000', '\u0007', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009b'],
  separator: ['\u2028', '\u2029'],
  bidi: ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'],
  format: ['\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u2060', '\ufeff', '\u00ad', '\u061c', '\u{e0041}', '\u{e007f}'],
  surrogate: ['\ud800', '\udfff'],
};
const dangerousChar = fc.constantFrom(...Object.entries(DANGEROUS).flatMap(([kind, chars]) => chars.map((c) => ({ kind, c }))));

/** Text people type: letters of several scripts, digits, punctuation, emoji, markup. */
const friendlyText = fc.constantFrom(
  'Zoë Ångström',
  '李小龍',
  'Ada 🚀 Lovelace',
  "O'Brien-Smith",
  '<b>R&D</b>',
  'José Ñúñez',
  'a',
  '  Padded  ',
);

let serial = 0;
/** A valid hire with a unique employee id (its run starts on a queue no worker polls, so the id only has to be unique). */
function validHire(seed: number): Record<string, unknown> {
  serial += 1;
  const id = `FZ${seed.toString(36)}${serial.toString(36)}`.toUpperCase();
  return {
    employeeId: id,
    fullName: 'Mary Jackson',
    email: `m.jackson.${id.toLowerCase()}@example.com`,
    role: 'engineer',
    team: 'Wind Tunnel',
    managerEmail: 'manager@example.com',
    startDate: '2026-12-07',
    extraPermissions: [],
  };
}

/** An object with an own "__proto__" key, as JSON.parse makes it (an object literal would set the prototype instead). */
function withOwnKey(hire: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(hire)) as Record<string, unknown>;
  if (key === '__proto__') return JSON.parse(JSON.stringify(copy).replace(/^\{/, `{"__proto__":${JSON.stringify(value)},`)) as never;
  copy[key] = value;
  return copy;
}

type Mutation = (hire: Record<string, unknown>) => { value: unknown; made: string } | { text: string; made: string };

const insertDangerous: fc.Arbitrary<Mutation> = fc
  .tuple(fc.constantFrom(...TEXT_FIELDS), dangerousChar, fc.nat(), fc.nat({ max: 2 }))
  .map(([field, { kind, c }, at, repeat]) => (hire) => {
    const before = String(hire[field]);
    const position = at % (before.length + 1);
    const value = before.slice(0, position) + c.repeat(repeat + 1) + before.slice(position);
    return { value: { ...hire, [field]: value }, made: `${kind} U+${c.codePointAt(0)!.toString(16)} in ${field} at ${position}` };
  });

const atBound: fc.Arbitrary<Mutation> = fc
  .tuple(
    fc.constantFrom(
      ['fullName', 200],
      ['team', 100],
      ['employeeId', 64],
      ['email', 254],
      ['managerEmail', 254],
      ['role', 63],
    ) as fc.Arbitrary<[string, number]>,
    fc.integer({ min: -1, max: 2 }),
  )
  .map(([[field, bound], delta]) => (hire) => {
    const length = bound + delta;
    const filler = field === 'role' ? 'a' : 'A';
    const value =
      field.endsWith('mail') || field === 'email' ? `${'a'.repeat(length - '@example.com'.length)}@example.com` : filler.repeat(length);
    return { value: { ...hire, [field]: value }, made: `${field} of ${length} characters` };
  });

const wrongType: fc.Arbitrary<Mutation> = fc
  .tuple(fc.constantFrom(...FIELDS), fc.constantFrom<unknown>(null, 42, true, [], {}, ['x'], { toString: 'x' }, '', '   '))
  .map(([field, value]) => (hire) => ({ value: { ...hire, [field]: value }, made: `${field} = ${JSON.stringify(value)}` }));

const missingOrExtra: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom(...REQUIRED).map((field) => (hire: Record<string, unknown>) => {
    const rest = { ...hire };
    delete rest[field];
    return { value: rest, made: `${field} missing` };
  }),
  fc
    .tuple(
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'isAdmin', 'fullname', ''),
      fc.constantFrom<unknown>({ role: 'admin' }, 'x', 1),
    )
    .map(([key, value]) => (hire: Record<string, unknown>) => ({
      value: withOwnKey(hire, key, value),
      made: `extra field ${JSON.stringify(key)}`,
    })),
);

const hostileList: fc.Arbitrary<Mutation> = fc
  .tuple(
    fc.constantFrom('extraPermissions', 'equipment'),
    fc.oneof(
      fc.array(fc.constantFrom('admin', 'laptop', 'x'), { minLength: 51, maxLength: 60 }),
      fc.array(fc.constantFrom('laptop', 'Monitor 27"', 'pager\n', 'ADMIN', '-x', 'a'.repeat(81), 'chair\u200b', 7), {
        minLength: 1,
        maxLength: 3,
      }),
    ),
  )
  .map(([field, list]) => (hire) => ({ value: { ...hire, [field]: list }, made: `${field} = ${JSON.stringify(list).slice(0, 80)}` }));

const notAnObject: fc.Arbitrary<Mutation> = fc
  .constantFrom('null', '[]', '"hire"', '42', '{', '{"employeeId": }', '\u0000', '{"a":1}{"b":2}', '[{"employeeId":"X"}]')
  .map((text) => () => ({ text, made: `body ${JSON.stringify(text)}` }));

const stillValid: fc.Arbitrary<Mutation> = fc
  .tuple(friendlyText, fc.constantFrom('fullName', 'team'))
  .map(([text, field]) => (hire) => ({ value: { ...hire, [field]: text }, made: `${field} = ${JSON.stringify(text)}` }));

const badFormat: fc.Arbitrary<Mutation> = fc
  .tuple(
    fc.constantFrom(
      ['startDate', '2026-02-30'],
      ['startDate', '07/12/2026'],
      ['startDate', '2026-12-07T00:00:00Z'],
      ['email', 'not-an-address'],
      ['email', 'a@b'],
      ['email', 'ma ry@example.com'],
      ['email', 'märy@example.com'],
      ['email', 'a@example.com\r\nBcc: x@evil.example'],
      ['role', 'Engineer'],
      ['role', '../admin'],
      ['employeeId', '-X1'],
      ['employeeId', 'X/1'],
      ['employeeId', 'X 1'],
      ['employeeId', 'Ｘ1'],
    ) as fc.Arbitrary<[string, string]>,
  )
  .map(([[field, value]]) => (hire) => ({ value: { ...hire, [field]: value }, made: `${field} = ${JSON.stringify(value)}` }));

/** The mutations, weighted towards characters in text: the class of input the first pass found weakest. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: insertDangerous },
  { weight: 2, arbitrary: atBound },
  { weight: 2, arbitrary: wrongType },
  { weight: 2, arbitrary: missingOrExtra },
  { weight: 1, arbitrary: hostileList },
  { weight: 1, arbitrary: notAnObject },
  { weight: 2, arbitrary: badFormat },
  { weight: 2, arbitrary: stillValid },
);

/** `count` hostile cases from `seed`: the same seed gives the same cases (employee ids aside, which are only made unique). */
export function hostileCases(count: number, seed: number): HostileCase[] {
  const mutations = fc.sample(mutation, { seed, numRuns: count });
  return mutations.map((mutate, i) => {
    const out = mutate(validHire(seed + i));
    return 'text' in out ? out : { text: JSON.stringify(out.value), made: out.made };
  });
}

const isDate = (text: string) => /^\d{4}-\d{2}-\d{2}$/.test(text) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);
const isAddress = (text: string) =>
  text.length <= 254 && /^[\x21-\x7e]+$/.test(text) && /^[^@]+@[^@]+\.[^@]+$/.test(text) && !text.includes('..');

/**
 * Why the contract refuses this input (empty when it may be accepted). Text fields are judged as the contract
 * says they are read: names and teams trimmed of surrounding white space first.
 */
export function mustRefuse(text: string): string[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return ['not JSON'];
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return ['not an object'];
  const hire = raw as Record<string, unknown>;
  const reasons = Object.keys(hire)
    .filter((k) => !FIELDS.includes(k))
    .map((k) => `unknown field ${JSON.stringify(k)}`);
  for (const field of REQUIRED) if (typeof hire[field] !== 'string') reasons.push(`${field} missing or not text`);
  const textOf = (field: string) => {
    const value = hire[field];
    return typeof value === 'string' ? value : '';
  };
  for (const field of ['fullName', 'team'] as const) {
    const value = textOf(field).trim();
    const max = field === 'fullName' ? 200 : 100;
    if (value.length === 0 || value.length > max) reasons.push(`${field} empty or over ${max}`);
    if (ALWAYS_REFUSED.test(value)) reasons.push(`${field} holds a control, separator, bidi or broken character`);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(textOf('employeeId'))) reasons.push('employeeId not 1-64 of [A-Za-z0-9_-]');
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(textOf('role'))) reasons.push('role not a lowercase name');
  if (!isAddress(textOf('email'))) reasons.push('email not an address');
  if (!isAddress(textOf('managerEmail'))) reasons.push('managerEmail not an address');
  if (!isDate(textOf('startDate'))) reasons.push('startDate not a calendar date');
  const listProblem = (field: string, max: number, item: RegExp) => {
    const list = hire[field];
    if (list === undefined) return;
    if (!Array.isArray(list) || list.length > max || list.some((x) => typeof x !== 'string' || !item.test(x)))
      reasons.push(`${field} not a list of names`);
  };
  listProblem('extraPermissions', 50, /^[a-z][a-z0-9:_-]{0,62}$/);
  listProblem('equipment', 20, /^[A-Za-z0-9][A-Za-z0-9 .,()'+-]{0,79}$/);
  return reasons;
}

/** Whether the input holds a format character (Cf) in a name: refused or stripped once they are handled (issue 17, finding 8). */
export function holdsFormatCharacter(text: string): boolean {
  return FORMAT.test(text);
}

/** What is wrong with a stored hire (the run's input as its history keeps it): empty when nothing is. */
export function storedProblems(stored: unknown): string[] {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return ['the stored input is not an object'];
  const hire = stored as Record<string, unknown>;
  const problems = Object.keys(hire)
    .filter((k) => !FIELDS.includes(k))
    .map((k) => `stray field ${JSON.stringify(k)}`);
  if (Object.getPrototypeOf(hire) !== Object.prototype) problems.push('the stored input has another prototype');
  const strings = Object.entries(hire).flatMap(([field, value]) =>
    Array.isArray(value) ? value.map((v, i) => [`${field}[${i}]`, v] as const) : [[field, value] as const],
  );
  for (const [field, value] of strings) {
    if (typeof value !== 'string') problems.push(`${field} is not text`);
    else if (NEVER_STORED.test(value)) problems.push(`${field} holds U+${value.match(NEVER_STORED)![0].codePointAt(0)!.toString(16)}`);
  }
  const lengthOf = (field: string) => {
    const value = hire[field];
    return typeof value === 'string' ? value.length : 0;
  };
  if (lengthOf('fullName') > 200 || lengthOf('team') > 100 || lengthOf('email') > 254 || lengthOf('managerEmail') > 254)
    problems.push('a field over its bound');
  if (typeof hire.employeeId !== 'string' || hire.employeeId !== hire.employeeId.toUpperCase())
    problems.push('employeeId not normalised to upper case');
  return problems;
}
