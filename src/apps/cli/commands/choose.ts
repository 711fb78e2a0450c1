/**
 * `overture choose`: the seed's "which approach should you use?" questionnaire. It recommends a sequential, DAG or
 * event-driven process with the reasons, and names the installed process that shows that approach. On a terminal it
 * asks each question it was not given (numbered options); elsewhere every answer comes from `--answer id=value`.
 * Offline: it reads no configuration and connects to nothing.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { QUESTIONS, questionnaire, recommend, type ChoiceQuestion, type Recommendation } from '../../../choose';
import { installedProcesses } from '../../../choose/installed';
import { InputError } from '../../../../workflows/kit/input';
import { printJson, type CliCommand } from '../command';
import { UsageError, type Io } from '../io';

const questionList = QUESTIONS.map((q) => `    ${q.id.padEnd(12)}${q.options.map((o) => o.value).join(' | ')}`).join('\n');

const CHOOSE_USAGE = `usage: overture choose [--answer QUESTION=VALUE]... [--questions] [--json]

Which orchestration approach should you use? Recommends sequential steps, a DAG or an event-driven process for the
work you describe, with the reasons, and the process installed here that shows that approach.
On a terminal it asks each question not given with --answer (type the option's number or value); otherwise every
question needs an --answer. Reads no configuration and connects to nothing.

  --answer QUESTION=VALUE   answer a question; repeatable. Questions and their values:
${questionList}
  --questions               print the questions and their options instead; with --json:
                            {questions: [{id, text, options: [{value, label}]}]}
  --json                    print {approach: sequential|dag|event-driven, reasons: [...], example: {process, title, path}}

Exit codes: 0 recommended, 2 a missing or unknown answer (nothing asked when not on a terminal).`;

/** Asks one line of the person at the terminal. */
export type Ask = (prompt: string) => Promise<string>;

/** Reads `--answer id=value` flags; an unknown question or value is refused by the recommendation itself. */
function answersFrom(specs: readonly string[]): Record<string, string> {
  const answers: Record<string, string> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new UsageError(`--answer takes QUESTION=VALUE, not "${spec}"\n\n${CHOOSE_USAGE}`);
    answers[spec.slice(0, eq).trim()] = spec.slice(eq + 1).trim();
  }
  return answers;
}

/** One question, asked until the reply is an option's number or value. */
async function askQuestion(q: ChoiceQuestion, ask: Ask, io: Io): Promise<string> {
  const menu = q.options.map((o, i) => `  ${i + 1}) ${o.label}`).join('\n');
  for (;;) {
    const reply = (await ask(`${q.text}\n${menu}\n> `)).trim();
    const byNumber = /^\d+$/.test(reply) ? q.options[Number(reply) - 1] : undefined;
    const option = byNumber ?? q.options.find((o) => o.value === reply);
    if (option) return option.value;
    io.stderr(`Type a number from 1 to ${q.options.length}.`);
  }
}

/** Asks each question the answers lack, in the questionnaire's order. */
export async function askMissing(given: Record<string, string>, ask: Ask, io: Io): Promise<Record<string, string>> {
  const answers = { ...given };
  for (const q of QUESTIONS) if (!Object.hasOwn(answers, q.id)) answers[q.id] = await askQuestion(q, ask, io);
  return answers;
}

/**
 * Prompts on the terminal's stdin and stdout. Lines are read from one buffered stream, so answers typed (or pasted)
 * ahead of their question are kept for it; the end of input (Ctrl-D) stops with exit 2.
 */
async function withTerminal<T>(use: (ask: Ask) => Promise<T>): Promise<T> {
  const rl = createInterface({ input: process.stdin });
  const lines = rl[Symbol.asyncIterator]();
  try {
    return await use(async (prompt) => {
      process.stdout.write(prompt);
      const line = await lines.next();
      if (line.done) throw new UsageError('no answer: the input ended');
      return line.value;
    });
  } finally {
    rl.close();
  }
}

/** The recommendation as a person reads it. */
export function formatRecommendation(r: Recommendation): string {
  const names = { sequential: 'sequential steps', dag: 'a DAG', 'event-driven': 'an event-driven process' } as const;
  return [
    `Recommended: ${names[r.approach]} (${r.approach})`,
    '',
    'Why:',
    ...r.reasons.map((reason) => `  - ${reason}`),
    '',
    `See it here: ${r.example.process} (${r.example.title}), its code in ${r.example.path}; its graph and figures in the console at /kpis/${r.example.process}.`,
  ].join('\n');
}

/** `overture choose`; `ask` replaces the terminal's prompts (tests). */
export async function choose(args: string[], io: Io, ask?: Ask): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { answer: { type: 'string', multiple: true }, questions: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  if (positionals.length) throw new UsageError(`choose takes no arguments, only options\n\n${CHOOSE_USAGE}`);
  if (values.questions) {
    const list = questionnaire();
    if (values.json) printJson(io, list);
    else
      io.stdout(list.questions.map((q) => `${q.id}: ${q.text}\n${q.options.map((o) => `  ${o.value}: ${o.label}`).join('\n')}`).join('\n'));
    return 0;
  }
  const given = answersFrom(values.answer ?? []);
  let answers = given;
  if (!QUESTIONS.every((q) => Object.hasOwn(given, q.id))) {
    // Wrong answers are refused before anything is asked; a person at a terminal is asked only what is missing.
    refuseUnknown(given);
    if (ask) answers = await askMissing(given, ask, io);
    else if (io.isTty && process.stdin.isTTY) answers = await withTerminal((terminalAsk) => askMissing(given, terminalAsk, io));
  }
  const recommendation = recommend(answers, installedProcesses());
  if (values.json) printJson(io, recommendation);
  else io.stdout(formatRecommendation(recommendation));
  return 0;
}

/** Refuses answers to unknown questions or with unknown values, leaving only the missing ones to ask or report. */
function refuseUnknown(given: Record<string, string>): void {
  try {
    recommend(given, installedProcesses());
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    const wrong = err.problems.filter((p) => !p.includes(': not answered'));
    if (wrong.length) throw new InputError(wrong, 'answers');
  }
}

/** `overture choose`. */
export const command: CliCommand = {
  name: 'choose',
  summary: 'which approach? the questionnaire that recommends sequential, DAG or event-driven, and a process that shows it',
  usage: CHOOSE_USAGE,
  options: ['answer=', 'questions', 'json'],
  run: (args, io) => choose(args, io),
};
