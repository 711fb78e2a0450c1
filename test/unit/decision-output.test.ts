/** The CLI's `--output` of a decision: an object of strings, with the prototype-key refusal of every entry point. */
import { parseDecisionOutput } from '../../src/apps/cli/decision-output';
import { UsageError } from '../../src/apps/cli/io';

const refusal = (text: string) => {
  try {
    parseDecisionOutput(text);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`accepted ${text}`);
};

it('takes an object of strings', () => {
  expect(parseDecisionOutput('{"workspaceUrl":"https://w.example/1"}')).toEqual({ workspaceUrl: 'https://w.example/1' });
  expect(parseDecisionOutput(undefined)).toBeUndefined();
});

it.each(['__proto__', 'constructor', 'prototype'])('refuses a field named %s, as the console and the gateway do', (key) => {
  const err = refusal(`{"${key}":"x","workspaceUrl":"https://w.example/1"}`);
  expect(err).toBeInstanceOf(UsageError);
  expect(err.message).toBe(`--output: (input): field name ${key} is not allowed`);
});

it('refuses what is not an object of strings, without quoting it', () => {
  expect(refusal('[1]').message).toMatch(/not a list$/);
  expect(refusal('{"n":1}').message).toMatch(/"n" is not a string$/);
  expect(refusal('{secret').message).not.toContain('secret');
});
