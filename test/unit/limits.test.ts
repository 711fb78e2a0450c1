/** The kit's limits as pure functions: what the run's validators and the client both check. */
import {
  checkAnswerForm,
  checkEscalationForm,
  checkIdentity,
  checkInjectionForm,
  checkRescheduleForm,
  clip,
  DECISION_LIMITS,
  STATUS_LIMITS,
  tooMany,
} from '../../workflows/kit/limits';
import type { EscalationDecision, FaultInjection, RescheduleRequest } from '../../workflows/kit/types';
import { parseResolveRequest } from '../../src/apps/console/api-input';
import { identityOf } from '../helpers/operators';

describe('clip', () => {
  it('keeps text within the bound as it is', () => {
    expect(clip('short', 10)).toBe('short');
    expect(clip('x'.repeat(STATUS_LIMITS.logLineChars), STATUS_LIMITS.logLineChars)).toHaveLength(STATUS_LIMITS.logLineChars);
  });

  it('shortens longer text to the bound and says so', () => {
    const clipped = clip('y'.repeat(5_000), 1_000);
    expect(clipped.length).toBeLessThanOrEqual(1_000);
    expect(clipped.endsWith('… (clipped)')).toBe(true);
    expect(clipped.startsWith('y'.repeat(900))).toBe(true);
  });

  it('does not cut a character outside the basic plane in half', () => {
    // 988 is where the cut falls for a bound of 1000: an emoji across it is dropped whole.
    const text = `${'a'.repeat(987)}😀${'b'.repeat(100)}`;
    const clipped = clip(text, 1_000);
    expect(clipped).toBe(`${'a'.repeat(987)}… (clipped)`);
  });
});

describe('the form of what people send', () => {
  const identity = identityOf('ops');
  const decision = { step: 'createWorkspace', action: 'skip', by: 'ops', identity } as EscalationDecision;

  it('takes a decision, an answer, a reschedule and an injection at their limits', () => {
    const { byChars, reasonChars, outputKeys, outputValueChars } = DECISION_LIMITS;
    const output = Object.fromEntries(Array.from({ length: outputKeys }, (_, i) => [`k${i}`, 'v'.repeat(Math.min(outputValueChars, 190))]));
    expect(() =>
      checkEscalationForm({
        ...decision,
        by: 'b'.repeat(byChars),
        reason: 'r'.repeat(reasonChars),
        output,
        decisionId: 'createWorkspace#1:skip',
      }),
    ).not.toThrow();
    expect(() =>
      checkAnswerForm({ question: 'q', decision: 'approve', by: 'ops', reason: 'r'.repeat(reasonChars), identity }),
    ).not.toThrow();
    expect(() => checkRescheduleForm({ now: true, by: 'ops', reason: 'fine', identity })).not.toThrow();
    expect(() => checkInjectionForm({ step: 'createAccount', fault: { kind: 'transient', failures: 100 } })).not.toThrow();
    expect(() => checkInjectionForm({ step: 'createAccount' })).not.toThrow();
  });

  it.each<[string, () => void, string]>([
    [
      'an unknown field',
      () => checkEscalationForm({ ...decision, extra: 'x' } as EscalationDecision),
      'unknown field "extra" in a decision; its fields are step, action, by, reason, output, decisionId, identity',
    ],
    [
      'a long question name',
      () => checkAnswerForm({ question: 'q'.repeat(201), decision: 'approve', by: 'ops', identity }),
      'the question must be text of at most 200 characters',
    ],
    ['an empty output key', () => checkEscalationForm({ ...decision, output: { '': 'x' } }), 'each output key must be 1-100 characters'],
    [
      'an output over 4000 characters in all',
      () =>
        checkEscalationForm({ ...decision, output: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v'.repeat(500)])) }),
      'an output may hold at most 4000 characters in all (keys and values)',
    ],
    [
      'a reschedule with no one behind it',
      () => checkRescheduleForm({ now: true } as RescheduleRequest),
      'a reschedule must say who asked for it (by)',
    ],
    [
      'a decision with a typed name and no identity',
      () => checkEscalationForm({ ...decision, identity: undefined }),
      'decisions need an authenticated operator: this one names none (decide with the CLI or console, signed in with your operator token)',
    ],
    [
      'an answer with no identity',
      () => checkAnswerForm({ decision: 'approve', by: 'the.manager' }),
      'decisions need an authenticated operator: this one names none (decide with the CLI or console, signed in with your operator token)',
    ],
    [
      'an identity with a made-up role',
      () => checkIdentity({ ...identity, role: 'owner' }),
      "decisions need an authenticated operator: the identity's role must be one of viewer, operator, approver, admin",
    ],
    [
      'an identity with a field of its own',
      () => checkIdentity({ ...identity, trusted: true }),
      'unknown field "trusted" in the identity; its fields are operator, email, role, via',
    ],
    [
      'an identity with an empty name',
      () => checkIdentity({ ...identity, operator: ' ' }),
      "decisions need an authenticated operator: the identity's operator must be a name of 1-200 characters",
    ],
    [
      'a fault with a field of its own',
      () => checkInjectionForm({ step: 'a', fault: { kind: 'latency', ms: 1, note: 'x' } } as unknown as FaultInjection),
      'a fault is transient:N (N from 1 to 100), permanent, latency:MS (MS up to 3600000) or none',
    ],
    [
      'a fault of an unknown kind',
      () => checkInjectionForm({ step: 'a', fault: { kind: 'flaky' } } as unknown as FaultInjection),
      'a fault is transient:N (N from 1 to 100), permanent, latency:MS (MS up to 3600000) or none',
    ],
    [
      'a message that is not an object',
      () => checkInjectionForm('createAccount' as unknown as FaultInjection),
      'a fault injection must be an object',
    ],
  ])('refuses %s', (_what, check, message) => {
    expect(check).toThrow(new Error(message));
  });
});

describe('tooMany', () => {
  it('says nothing below the limit, and names the count, the limit and what still works at it', () => {
    expect(tooMany(99, 100, 'fault injections', 'retry still works')).toBeUndefined();
    expect(tooMany(100, 100, 'fault injections', 'retry still works')?.message).toBe(
      'this run has taken 100 fault injections, the most a run accepts (100); retry still works',
    );
  });
});

describe("the console's request checks", () => {
  it("use the kit's limits: an output over 4000 characters in all is a 400 before anything reaches a run", () => {
    const output = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v'.repeat(DECISION_LIMITS.outputValueChars)]));
    expect(() => parseResolveRequest({ step: 'createWorkspace', action: 'skip', output })).toThrow(
      expect.objectContaining({
        status: 400,
        extra: { problems: [`output: may hold at most ${DECISION_LIMITS.outputTotalChars} characters in all (keys and values)`] },
      }) as Error,
    );
    expect(() =>
      parseResolveRequest({ step: 'createWorkspace', action: 'retry', reason: 'r'.repeat(DECISION_LIMITS.reasonChars + 1) }),
    ).toThrow(
      expect.objectContaining({
        status: 400,
        extra: { problems: [`reason: must be a string of at most ${DECISION_LIMITS.reasonChars} characters`] },
      }) as Error,
    );
    expect(
      parseResolveRequest({ step: 'createWorkspace', action: 'retry', reason: 'r'.repeat(DECISION_LIMITS.reasonChars) }).reason,
    ).toHaveLength(DECISION_LIMITS.reasonChars);
  });
});
