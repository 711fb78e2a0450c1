/**
 * Input that crosses into Overture, validated before anything starts: the building blocks of every process's input
 * schema (plain text that cannot hurt where it is shown, email addresses), the error that names each bad field
 * (never a value: values may be personal data), and the spelling of faults.
 */
import { z } from 'zod';
import { FAULT_SYNTAX, readFault, type FaultMode } from './vocabulary';
import { describeCodePoint, formatCharacterIn, hasUnsafeText } from './safe-text';

/** The longest email address SMTP carries (RFC 5321). */
export const EMAIL_MAX = 254;

/** What a free-text field may not hold, as its message says (never quoting the value). */
const PLAIN_TEXT = 'must be plain text: no control characters, line breaks, direction overrides or broken characters';
const PLAIN_MULTILINE =
  'must be plain text: no control characters other than line breaks (\\n) and tabs, no direction overrides or broken characters';

/**
 * A free-text field that cannot hurt where it is shown later (a terminal, a log line, an email header, a chat
 * message): at most `max` characters, trimmed and non-empty unless `optional`-style `min: 0`, and without C0
 * or C1 controls (CR, LF, NUL, ESC...), DEL, the line and paragraph separators, bidi overrides and isolates,
 * or lone surrogates. With `multiline`, LF and TAB are allowed (e.g. a Markdown body) and nothing is trimmed.
 */
export function safeText(opts: { max: number; min?: number; multiline?: boolean }) {
  const min = opts.min ?? 1;
  const base = z.string({ error: 'is required' });
  const trimmed = opts.multiline ? base : base.trim();
  return trimmed
    .min(min, min === 1 ? 'must not be empty' : `must be at least ${min} characters`)
    .max(opts.max, `must be at most ${opts.max} characters`)
    .refine((text) => !hasUnsafeText(text, opts.multiline ? '\n\t' : ''), opts.multiline ? PLAIN_MULTILINE : PLAIN_TEXT);
}

/**
 * A name that identifies someone or something (a person, a team, a company, an operator): safe text that also
 * holds no invisible format character (zero-width space or joiner, LRM/RLM, BOM, tag characters: see
 * formatCharacterIn), since "Ada Lovelace" and "Ada\u200b Lovelace" would look alike and differ. The message says
 * which character and where, e.g. "must not hold U+200B zero-width space (at character 4): invisible characters
 * make look-alike names".
 */
export function identityText(opts: { max: number; min?: number }) {
  return safeText(opts).superRefine((text, ctx) => {
    // A bidi control is both unsafe and a format character: the plain-text message already names it.
    if (hasUnsafeText(text)) return;
    const found = formatCharacterIn(text);
    if (found)
      ctx.addIssue({
        code: 'custom',
        message: `must not hold ${describeCodePoint(found.codePoint)} (at character ${found.position}): invisible characters make look-alike names`,
      });
  });
}

/** An email address of at most 254 characters (zod's address pattern is plain ASCII already). */
export const emailAddress = () => z.email({ error: 'must be an email address' }).max(EMAIL_MAX, `must be at most ${EMAIL_MAX} characters`);

/** Bad input: `problems` has one line per bad field, e.g. "email: must be an email address". */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly problems: string[],
    what = 'input',
  ) {
    super(`invalid ${what}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Field names that reach an object's prototype: JSON.parse keeps `"__proto__"` as an own key, but copying it
 * (a record schema, a spread, `Object.assign`) sets the copy's prototype instead, so an object would carry
 * fields nobody validated. Refused at any depth, by every entry point (CLI, console, event gateway).
 */
const PROTOTYPE_KEYS: readonly string[] = Object.freeze(['__proto__', 'constructor', 'prototype']);

/** One "path: problem" line for each own key of the value, at any depth, that names a prototype (see PROTOTYPE_KEYS). */
export function prototypeKeyProblems(raw: unknown): string[] {
  const problems: string[] = [];
  const seen = new Set<object>();
  const pending: Array<{ value: unknown; path: string[] }> = [{ value: raw, path: [] }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, path } = next;
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    for (const key of Object.keys(value)) {
      if (PROTOTYPE_KEYS.includes(key)) problems.push(`${path.join('.') || '(input)'}: field name ${key} is not allowed`);
      else pending.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return problems;
}

/** Validates raw input (parsed JSON) against a process's schema, or throws an InputError naming each bad field (never a value). */
export function parseInput<T>(schema: z.ZodType<T>, raw: unknown, what = 'input'): T {
  const prototypeKeys = prototypeKeyProblems(raw);
  if (prototypeKeys.length) throw new InputError(prototypeKeys, what);
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.join('.') || '(input)';
    if (issue.code === 'unrecognized_keys') return `${field}: unknown field(s) ${issue.keys.join(', ')}`;
    if (issue.code === 'invalid_type' && issue.path.length === 0) return '(input): must be a JSON object';
    return `${field}: ${issue.message}`;
  });
  throw new InputError(problems, what);
}

/**
 * Why a text is not JSON, without any of the text: JSON.parse's own message quotes a snippet of the input,
 * which may be personal data. Gives "not valid JSON (at position N)", or "not valid JSON (it ends too soon)".
 */
export function notJsonProblem(text: string): string {
  const failure = jsonFailureAt(text);
  if (failure === undefined) return 'not valid JSON';
  if (failure >= text.length) return 'not valid JSON (it ends too soon)';
  if (failure >= 0) return `not valid JSON (at position ${failure})`;
  // V8 names no position for an unexpected token: the longest prefix that could still begin a JSON text ends there.
  let good = 0;
  let bad = text.length;
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2);
    const at = jsonFailureAt(text.slice(0, middle));
    if (at === undefined || at >= middle) good = middle;
    else bad = middle;
  }
  return `not valid JSON (at position ${good})`;
}

/** Where JSON.parse fails on the text: undefined when it parses, the text's length when it ends too soon, -1 when it names no position. */
function jsonFailureAt(text: string): number | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (err) {
    const message = err instanceof Error ? err.message : '';
    if (/end of JSON input/i.test(message)) return text.length;
    const position = /at position (\d+)/.exec(message)?.[1];
    return position === undefined ? -1 : Number(position);
  }
}

/**
 * Reads "step=mode" as the CLI and the console spell a fault (mode: transient:N, permanent, latency:MS, none) for
 * a process with these steps, within the bounds a live injection has (./vocabulary.ts).
 */
export function parseFaultSpec(spec: string, steps: readonly string[]): { step: string; fault?: FaultMode } {
  const [step, mode, ...extra] = spec.split('=');
  if (!step || !mode || extra.length) throw new InputError([`fault "${spec}": expected step=mode, e.g. ${steps[0] ?? 'step'}=transient:2`]);
  if (!steps.includes(step)) throw new InputError([`fault "${spec}": unknown step ${step}; steps are ${steps.join(', ')}`]);
  const fault = readFault(mode);
  if (fault === undefined) throw new InputError([`fault "${spec}": mode must be ${FAULT_SYNTAX}`]);
  return fault === null ? { step } : { step, fault };
}
