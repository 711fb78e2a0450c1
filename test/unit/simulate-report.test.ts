/** `overture simulate`'s parts that need no server: the scenario's parsers and the path report's wording and layout. */
import { InputError } from '../../workflows/kit/input';
import { describeWait, formatReport, kindOfLogLine, outcomeOf, pathOf, type SimulationReport } from '../../src/simulate/path-report';
import { formatOffset, parseAnswerSpec, parseEventSpec, parseOffset, parseScenario } from '../../src/simulate/spec';
import type { RunStatus } from '../../workflows/kit/types';

const STEPS = ['createAccount', 'createWorkspace', 'notifyTeam'];
const HOUR = 3_600_000;

describe('offsets', () => {
  it.each([
    ['+0', 0],
    ['+90s', 90_000],
    ['+30m', 30 * 60_000],
    ['+4h', 4 * HOUR],
    ['2d', 48 * HOUR],
    ['+1d12h', 36 * HOUR],
    ['+1w', 168 * HOUR],
  ])('reads %s', (text, ms) => expect(parseOffset(text, 'x')).toBe(ms));

  it.each(['', '+', '2 days', '+2x', '+-1h', '+4h2', '+400d'])('refuses %j', (text) =>
    expect(() => parseOffset(text, 'until')).toThrow(InputError),
  );

  it('says an offset back in its shortest words', () => {
    expect([0, 90_000, 4 * HOUR + 3_000, 72 * HOUR, 26 * HOUR + 60_000].map(formatOffset)).toEqual(['0s', '1m30s', '4h3s', '3d', '1d2h1m']);
  });
});

describe('scenario specs', () => {
  it('reads an answer by step or question id, given at once without an offset', () => {
    expect(parseAnswerSpec('createWorkspace=skip@+2d', STEPS)).toEqual({
      question: 'createWorkspace',
      decision: 'skip',
      afterMs: 48 * HOUR,
    });
    expect(parseAnswerSpec('createWorkspace#2=retry', STEPS)).toEqual({ question: 'createWorkspace#2', decision: 'retry', afterMs: 0 });
    expect(parseAnswerSpec('notifyTeam/approval#1=approve@+1h', STEPS).question).toBe('notifyTeam/approval#1');
  });

  it.each([
    ['no decision', 'createWorkspace@+2d', /expected question=decision/],
    ['an unknown step', 'createWorksp=skip', /unknown question createWorksp/],
    ['a decision that is no word', 'createWorkspace=Skip It', /decision must be a word/],
    ['a bad offset', 'createWorkspace=skip@soon', /not an offset/],
  ])('refuses an answer with %s', (_what, spec, message) => expect(() => parseAnswerSpec(spec, STEPS)).toThrow(message));

  it('reads an event the process takes, refusing another', () => {
    expect(parseEventSpec('customer.setup-completed@+3d', ['customer.setup-completed'])).toEqual({
      type: 'customer.setup-completed',
      afterMs: 72 * HOUR,
    });
    expect(() => parseEventSpec('customer.left@+1d', ['customer.setup-completed'])).toThrow(/takes customer.setup-completed/);
    expect(() => parseEventSpec('x@+1d', [])).toThrow(/takes no events/);
  });

  it('checks a whole scenario at once, naming every problem', () => {
    const scenario = parseScenario(
      { faults: ['createWorkspace=transient:2', 'notifyTeam=none'], answers: ['createWorkspace=skip@+5h'], noAnswer: ['notifyTeam'] },
      { steps: STEPS, eventTypes: [] },
    );
    expect(scenario).toEqual({
      faults: { createWorkspace: { kind: 'transient', failures: 2 } },
      answers: [{ question: 'createWorkspace', decision: 'skip', afterMs: 5 * HOUR }],
      noAnswer: ['notifyTeam'],
      events: [],
      horizonMs: 30 * 24 * HOUR,
    });
    let problems: string[] = [];
    try {
      parseScenario(
        { faults: ['nope=permanent'], answers: ['createWorkspace=skip'], noAnswer: ['createWorkspace'], events: ['x'], until: '+0' },
        { steps: STEPS, eventTypes: [] },
      );
    } catch (err) {
      problems = (err as InputError).problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/^fault "nope=permanent": unknown step nope/),
      'createWorkspace: both answered and never answered; drop one',
      'event "x": the process takes no events',
      'until: the horizon must be after the start',
    ]);
  });
});

describe('the path report', () => {
  it.each([
    ['createAccount started', 'step'],
    ['createWorkspace failed after 1 attempt(s): injected permanent fault [injected fault]', 'step'],
    ['createWorkspace escalated to the escalation contact; waiting for a decision', 'escalation'],
    ['reminder sent about escalated step createWorkspace', 'reminder'],
    ['escalated step createWorkspace handed to escalation contact #2', 'hand-over'],
    ['decision on createWorkspace: skip by simulation', 'decision'],
    ['no decision on createWorkspace before the deadline: automatic abort', 'decision'],
    ['approval granted by ada', 'decision'],
    ['publishing the newsletter exhausted its retries; taking the fallback path: post only', 'fallback'],
    ['event customer.setup-completed received (e-1)', 'event'],
    ['compensated createAccount: account disabled', 'compensation'],
    ['fault injected into createWorkspace: permanent', 'fault'],
    ['welcomeDay3 waits until 2026-12-10T00:00:00.000Z', 'wait'],
    ['team told that the onboarding was cancelled', 'note'],
  ])('files %j as %s', (message, kind) => expect(kindOfLogLine(message)).toBe(kind));

  it('maps run states to outcomes', () => {
    expect([
      outcomeOf('completed', true),
      outcomeOf('rejected', true),
      outcomeOf('compensation_failed', true),
      outcomeOf('awaiting_input', false),
    ]).toEqual(['completed', 'aborted', 'failed', 'waiting']);
  });

  const status: RunStatus = {
    workflowId: 'onboarding-E1',
    process: 'onboarding',
    subject: 'E1',
    state: 'needs_attention',
    startedAt: '2026-12-01T00:00:00.000Z',
    steps: [
      {
        step: 'createAccount',
        state: 'completed',
        attempts: 3,
        startedAt: '2026-12-01T00:00:00.000Z',
        endedAt: '2026-12-01T00:00:04.000Z',
      },
      { step: 'createWorkspace', state: 'escalated', attempts: 1 },
    ],
    questions: [
      {
        id: 'createWorkspace#1',
        kind: 'escalation',
        step: 'createWorkspace',
        prompt: 'failed',
        choices: ['retry', 'skip', 'abort'],
        requiredOutput: [],
        assignee: 'oncall@example.com',
        openedAt: '2026-12-01T00:00:05.000Z',
        level: 1,
        remindersSent: 1,
        open: true,
      },
    ],
    log: [
      { at: '2026-12-01T00:00:00.000Z', level: 'info', step: 'createAccount', message: 'createAccount started' },
      { at: '2026-12-01T00:00:04.000Z', level: 'info', step: 'createAccount', message: 'createAccount completed after 3 attempts' },
      {
        at: '2026-12-01T04:00:05.000Z',
        level: 'warn',
        step: 'createWorkspace',
        message: 'reminder sent about escalated step createWorkspace',
      },
    ],
  };

  it('places each log line at its time on the run clock, and says what an open run waits for', () => {
    expect(pathOf(status, Date.parse(status.startedAt), 'child')).toEqual([
      { atMs: 0, kind: 'step', step: 'createAccount', detail: '[child] createAccount started' },
      { atMs: 4_000, kind: 'step', step: 'createAccount', detail: '[child] createAccount completed after 3 attempts' },
      {
        atMs: 4 * HOUR + 5_000,
        kind: 'reminder',
        step: 'createWorkspace',
        detail: '[child] reminder sent about escalated step createWorkspace',
      },
    ]);
    expect(describeWait(status)).toBe('escalation createWorkspace#1 (asked of oncall@example.com, contact #2)');
  });

  it('prints one line per point, the steps, and the end', () => {
    const report: SimulationReport = {
      process: 'onboarding',
      workflowId: 'onboarding-E1',
      outcome: 'waiting',
      finalState: 'needs_attention',
      endedAfterMs: 30 * 24 * HOUR,
      waitingFor: 'escalation createWorkspace#1',
      path: [
        { atMs: 0, kind: 'step', step: 'createAccount', detail: 'createAccount started' },
        { atMs: 4 * HOUR + 5_000, kind: 'reminder', step: 'createWorkspace', detail: 'reminder sent about escalated step createWorkspace' },
      ],
      steps: status.steps,
      sent: { emails: 2, posts: 1 },
      wallClockMs: 1_234,
    };
    expect(formatReport(report)).toBe(
      [
        'simulated onboarding (onboarding-E1)',
        '  +0s    step          createAccount started',
        '  +4h5s  reminder      reminder sent about escalated step createWorkspace',
        '',
        'steps:',
        '  createAccount            completed (3 attempts)',
        '  createWorkspace          escalated',
        '',
        'ended: still needs_attention after 30d (the horizon): waiting for escalation createWorkspace#1',
        'sent nowhere: 2 email(s), 1 post(s); simulated in 1.2 s',
      ].join('\n'),
    );
  });
});
