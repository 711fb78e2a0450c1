/**
 * The questionnaire's answer: the approach the answers favour most, with the reasons they gave and what the seed
 * says for and against it, and the installed process that shows it. Pure: the callers (`overture choose`, the
 * console's /api/choose) pass the installed processes in.
 */
import { InputError } from '../../workflows/kit/input';
import { approachExamples, type ApproachExample, type ProcessSummary } from './examples';
import { APPROACH_NOTES, APPROACHES, QUESTIONS, type Approach, type ChoiceOption } from './questions';

/** The questions as the console and `--json` show them. */
export interface Questionnaire {
  questions: { id: string; text: string; options: { value: string; label: string }[] }[];
}

/** What the questionnaire recommends. */
export interface Recommendation {
  approach: Approach;
  reasons: string[];
  example: ApproachExample;
}

/** The questions, without their weights. */
export function questionnaire(): Questionnaire {
  return {
    questions: QUESTIONS.map((q) => ({ id: q.id, text: q.text, options: q.options.map(({ value, label }) => ({ value, label })) })),
  };
}

/**
 * Reads answers (question id to option value): every question answered, with one of its options. Throws an
 * InputError naming each missing or unknown question and each unknown value, with the values there are.
 */
export function checkAnswers(answers: unknown): Record<string, ChoiceOption> {
  if (typeof answers !== 'object' || answers === null || Array.isArray(answers))
    throw new InputError(['answers: must be an object of question id to answer'], 'answers');
  const given = answers as Record<string, unknown>;
  const problems: string[] = [];
  const chosen: Record<string, ChoiceOption> = {};
  for (const q of QUESTIONS) {
    const values = q.options.map((o) => o.value).join(', ');
    const value = Object.hasOwn(given, q.id) ? given[q.id] : undefined;
    const option = q.options.find((o) => o.value === value);
    if (value === undefined) problems.push(`${q.id}: not answered (${q.text} ${values})`);
    else if (!option) problems.push(`${q.id}: must be one of ${values}`);
    else chosen[q.id] = option;
  }
  const unknown = Object.keys(given).filter((id) => !QUESTIONS.some((q) => q.id === id));
  if (unknown.length) problems.push(`${unknown.join(', ')}: no such question; questions are ${QUESTIONS.map((q) => q.id).join(', ')}`);
  if (problems.length) throw new InputError(problems, 'answers');
  return chosen;
}

/**
 * The approach the answers favour most. A tie goes to the simpler approach (sequential, then a DAG, then
 * event-driven): the seed's advice is to start simple and add complexity only when needed.
 */
export function recommend(answers: unknown, processes: readonly ProcessSummary[]): Recommendation {
  const chosen = Object.values(checkAnswers(answers));
  const score = (a: Approach) => chosen.reduce((sum, o) => sum + (o.favours[a] ?? 0), 0);
  const approach = APPROACHES.reduce((best, a) => (score(a) > score(best) ? a : best));
  const note = APPROACH_NOTES[approach];
  const example = approachExamples(processes)[approach];
  if (!example) throw new Error('no process is installed to show an approach');
  return {
    approach,
    reasons: [
      ...chosen.filter((o) => (o.favours[approach] ?? 0) > 0).map((o) => o.reason),
      `${note.name}: ${note.pro}`,
      `Mind that: ${note.con}`,
    ],
    example,
  };
}
