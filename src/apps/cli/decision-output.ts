/** A decision's `--output` on the command line (resolve, approve, complete): an object of strings, checked before anything is asked of the run. */
import { notJsonProblem, prototypeKeyProblems } from '../../../workflows/kit/input';
import { printable } from '../../../workflows/kit/safe-text';
import { UsageError } from './io';

const OUTPUT_USAGE = '--output must be a JSON object of strings, e.g. {"workspaceUrl":"https://..."}';

/**
 * `--output`'s object of strings, or a UsageError (exit 2) that says what is wrong without quoting the text. A field
 * named `__proto__`, `constructor` or `prototype` is refused here as it is by every other entry point.
 */
export function parseDecisionOutput(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${OUTPUT_USAGE}; it is ${notJsonProblem(text)}`);
  }
  const kind = parsed === null ? 'null' : Array.isArray(parsed) ? 'a list' : typeof parsed;
  if (kind !== 'object') throw new UsageError(`${OUTPUT_USAGE}, not ${kind}`);
  const prototypeKeys = prototypeKeyProblems(parsed);
  if (prototypeKeys.length) throw new UsageError(`--output: ${prototypeKeys.join('; ')}`);
  const notText = Object.entries(parsed as Record<string, unknown>).find(([, v]) => typeof v !== 'string');
  if (notText) throw new UsageError(`${OUTPUT_USAGE}; "${printable(notText[0])}" is not a string`);
  return parsed as Record<string, string>;
}
