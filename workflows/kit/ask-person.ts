/**
 * Asking a person and waiting for the answer: the notice, the reminder ladder on durable timers, and what
 * happens when nobody answers. Shared by escalations, approvals, manual tasks and a process's own questions.
 */
import { condition } from '@temporalio/workflow';
import type { NoticeActions, RunContext } from './context';
import { waitForPerson } from './ladder';
import { recordPersonWait } from './metrics';
import type { DecisionRecord, EscalationLadder, QuestionStatus } from './types';

/** What the ladder does at its deadline: decide on the person's behalf, or keep waiting. */
export type OnNoAnswer = { action: string; reason: string; logMessage: string } | 'keep-waiting';

export interface Asking {
  question: QuestionStatus;
  /** Who is asked, in order: the first gets the notice and the reminder, the next ones the hand-overs. */
  contacts: string[];
  ladder: EscalationLadder;
  subject: string;
  body: string;
  /** Log lines of the ladder's rungs, in the process's own words. */
  reminderLog: string;
  handOverLog: (contactNumber: number) => string;
  onNoAnswer: OnNoAnswer;
  /** Choices the recipient may take from the email by a signed link (those that need no output); none: no links. */
  linkChoices?: string[];
}

/** What the email's links may answer: the question, its link choices, and the ladder's deadline if it decides alone. */
function noticeActions(asking: Asking): NoticeActions | undefined {
  const { question, linkChoices, onNoAnswer, ladder } = asking;
  if (!linkChoices?.length) return undefined;
  const deadline =
    onNoAnswer === 'keep-waiting' ? undefined : new Date(Date.parse(question.openedAt) + ladder.automaticActionAfterMs).toISOString();
  return { question: question.id, choices: linkChoices, ...(deadline ? { deadline } : {}) };
}

/** Sends the question's notice and waits for its answer (or the deadline); returns the decision. */
export async function askPerson(run: RunContext, asking: Asking): Promise<DecisionRecord> {
  const { question, contacts, subject, body } = asking;
  // Before the first await: an answer may arrive while the notice is being sent.
  run.desk.rememberContacts(question.id, contacts);
  const actions = noticeActions(asking);
  await run.notify(`${question.id}:notice`, contacts[0] ?? '', subject, body, actions);
  await waitForPerson(asking.ladder, () => question.decision !== undefined, {
    remind: async () => {
      question.remindersSent += 1;
      run.tracker.log(asking.reminderLog, question.step, 'warn');
      await run.notify(`${question.id}:reminder`, contacts[question.level] ?? '', `Reminder: ${subject}`, body, actions);
    },
    handOver: async () => {
      question.level = Math.min(question.level + 1, Math.max(contacts.length - 1, 0));
      run.tracker.log(asking.handOverLog(question.level), question.step, 'warn');
      await run.notify(`${question.id}:next-contact`, contacts[question.level] ?? '', `Escalated: ${subject}`, body, actions);
    },
    actAlone: () => {
      if (asking.onNoAnswer === 'keep-waiting') {
        run.tracker.log(`nobody has answered ${question.id} by its deadline; still waiting`, question.step, 'warn');
        return;
      }
      run.desk.decideAutomatically(question, asking.onNoAnswer.action, asking.onNoAnswer.reason, asking.onNoAnswer.logMessage);
    },
  });
  if (question.decision === undefined) await condition(() => question.decision !== undefined);
  // Workflow time from the question to its answer (a decision by the ladder counts too: nobody answered until then).
  recordPersonWait(run.shape.name, question.kind, (Date.now() - Date.parse(question.openedAt)) / 1000);
  return question.decision!;
}

/**
 * The line of a notice that tells people where to act. The console link is added by the worker that sends the
 * notice (from its own console URL and the run's path, see `notify`), not frozen from the starting client's config.
 */
export function howToAct(command: string): string {
  return `Decide with: ${command}`;
}
