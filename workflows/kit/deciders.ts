/**
 * Who may decide what in a run, checked by the update validators against the authenticated identity a
 * decision carries (the clients check roles too, but the run has the last word: it knows who was asked).
 *
 * - escalated steps and reschedules: an operator or above;
 * - approvals and a process's own questions: the address asked (the approver), the escalation contacts the
 *   ladder has reached so far, or an admin; a question that names nobody: an approver or above;
 * - manual tasks: the assignee, the contacts reached so far, or an operator or above.
 */
import { roleAtLeast } from './roles';
import type { DecisionIdentity, OperatorRole, QuestionStatus } from './types';

/** Refuses the decision unless the identity's role is `needed` or above. */
export function requireRole(identity: DecisionIdentity, needed: OperatorRole, what: string): void {
  if (!roleAtLeast(identity.role, needed))
    throw new Error(`${what} needs the role ${needed} or above; ${identity.operator} is ${identity.role}`);
}

const sameAddress = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The addresses a question has been put to so far: its assignee, then each contact the ladder handed it to
 * (`contacts` as the run passed them to the ladder, up to the question's level).
 */
export function reachedContacts(question: QuestionStatus, contacts: readonly string[] | undefined): string[] {
  const reached = contacts ? contacts.slice(0, question.level + 1) : [];
  return [question.assignee ?? '', ...reached].filter((a) => a.trim() !== '');
}

/** Refuses an answer from someone the question was not put to, unless their role allows it anyway. */
export function checkMayAnswer(question: QuestionStatus, contacts: readonly string[] | undefined, identity: DecisionIdentity): void {
  if (roleAtLeast(identity.role, 'admin')) return;
  const email = identity.email;
  if (email && reachedContacts(question, contacts).some((address) => sameAddress(address, email))) return;
  if (question.kind === 'task') return requireRole(identity, 'operator', `completing ${question.id} (not yours)`);
  if (!question.assignee) return requireRole(identity, 'approver', `answering ${question.id}`);
  throw new Error(
    `${question.id} may be answered only by the person it was sent to, the escalation contacts it has reached so far, or an admin; ${identity.operator} is none of them`,
  );
}
