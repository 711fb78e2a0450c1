/**
 * `printable` and the CLI's formatting of run data: no control, separator, bidi or broken character reaches a
 * terminal raw, and what it shows is still readable.
 */
import { hasUnsafeText, printable, replaceUnsafe } from '../../workflows/kit/safe-text';
import { formatRunList, formatStatus, formatStep } from '../../src/apps/cli/output';
import type { RunStatus } from '../../src/client';
import type { RunSummary } from '../../src/client';

/** Whether any character a terminal or a log reader could be fooled by is there raw (line feeds allowed). */
const raw = (text: string, allowed = '') => hasUnsafeText(text, allowed);

describe('printable', () => {
  it.each([
    ['\u001b[2J\u001b[H', '\\u001b[2J\\u001b[H'],
    ['line\r\nforged', 'line\\u000d\\u000aforged'],
    ['nul\u0000', 'nul\\u0000'],
    ['del\u007f', 'del\\u007f'],
    ['c1 \u009b31m', 'c1 \\u009b31m'],
    ['nel\u0085', 'nel\\u0085'],
    ['tab\there', 'tab\\u0009here'],
    ['\u202egnp.exe', '\\u202egnp.exe'],
    ['\u2066isolate\u2069', '\\u2066isolate\\u2069'],
    ['a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
    ['lone \ud83d!', 'lone \\ud83d!'],
    ['lone \ude00!', 'lone \\ude00!'],
  ])('shows %j as %j', (input, shown) => {
    expect(printable(input)).toBe(shown);
    expect(raw(printable(input))).toBe(false);
    expect(raw(input)).toBe(true);
  });

  it('leaves ordinary text alone, including accents, emoji (surrogate pairs) and other scripts', () => {
    for (const text of ['Ada Lovelace', 'Zoë Ångström', 'ship it 🚀😀', '李小龍 أدا', '{"a": "b"}']) expect(printable(text)).toBe(text);
  });

  it('keeps line feeds only when asked, and its escapes stay valid JSON', () => {
    expect(printable('a\nb', { keepNewlines: true })).toBe('a\nb');
    expect(printable('a\r\nb', { keepNewlines: true })).toBe('a\\u000d\nb');
    const value = { name: 'Ada\u202e\u0085\u2028', nested: ['\u001b'] };
    const shown = printable(JSON.stringify(value, null, 2), { keepNewlines: true });
    expect(shown).not.toMatch(/[\u0085\u2028\u202e]/);
    expect(JSON.parse(shown)).toEqual(value);
  });

  it('hasUnsafeText and replaceUnsafe agree with printable', () => {
    expect(hasUnsafeText('Ada Lovelace')).toBe(false);
    expect(hasUnsafeText('Ada\u001b')).toBe(true);
    expect(hasUnsafeText('a\n\tb', '\n\t')).toBe(false);
    expect(hasUnsafeText('a\r\nb', '\n\t')).toBe(true);
    expect(hasUnsafeText('😀')).toBe(false);
    expect(hasUnsafeText('\ud83d')).toBe(true);
    expect(replaceUnsafe('a\r\nb\u202ec', ' ')).toBe('a  b c');
  });
});

describe('the CLI shows hostile run data with visible escapes', () => {
  const hostile = 'Ada\u001b[2J\r\n2026-01-01T00:00:00Z info  forged line \u202eevil';

  const status: RunStatus = {
    workflowId: 'onboarding-E1',
    process: 'onboarding',
    subject: 'E1',
    state: 'needs_attention',
    startedAt: '2026-11-27T10:00:00.000Z',
    currentStep: 'createWorkspace',
    steps: [
      { step: 'createAccount', state: 'completed', attempts: 1, outcome: { accountId: hostile } },
      { step: 'createWorkspace', state: 'escalated', attempts: 3, lastError: hostile },
    ],
    questions: [
      {
        id: 'q1',
        kind: 'escalation',
        step: 'createWorkspace',
        prompt: hostile,
        choices: ['retry', 'skip', 'abort'],
        open: true,
        openedAt: '2026-11-27T10:01:00.000Z',
        level: 0,
      } as unknown as RunStatus['questions'][number],
    ],
    log: [{ at: '2026-11-27T10:00:00.000Z', level: 'info', message: hostile }],
    execution: { status: 'RUNNING', runId: 'r1', historyLength: 10 },
  };

  it('status: every line is one line, with no raw control or bidi character', () => {
    const shown = formatStatus(status);
    expect(raw(shown, '\n')).toBe(false);
    expect(shown).toContain('Ada\\u001b[2J\\u000d\\u000a2026-01-01T00:00:00Z info  forged line \\u202eevil');
    // 1 header + 2 steps + 1 open question + "log:" + 1 log line: the forged line did not become a line.
    expect(shown.split('\n')).toHaveLength(6);
    expect(shown.split('\n').filter((l) => l.startsWith('2026-01-01'))).toEqual([]);
  });

  it('a step line and a run list row', () => {
    expect(raw(formatStep(status.steps[1]!))).toBe(false);
    const run: RunSummary = {
      workflowId: `onboarding-\u001b]0;pwned\u0007`,
      runId: 'r',
      process: 'onboarding',
      state: 'running',
      step: '\u202eevil',
      needsAttention: false,
      startedAt: '2026-11-27T10:00:00.000Z',
      execution: 'RUNNING',
    };
    const list = formatRunList([run]);
    expect(list.split('\n')).toHaveLength(2);
    expect(raw(list, '\n')).toBe(false);
    expect(list).toContain('onboarding-\\u001b]0;pwned\\u0007');
  });
});
