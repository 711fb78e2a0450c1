/**
 * A step: one activity call with its policy. On failure it takes its fallback (when the error is not
 * permanent), else asks a person — retry, skip (with the outputs later steps need) or abort — on the ladder.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { askPerson, howToAct } from './ask-person';
import type { RunContext } from './context';
import { asStepFailure, describeStepFailure, failureMessage } from './failures';
import { countEscalation } from './metrics';
import type { Undo } from './saga';
import { pausedBy, waitWhilePaused } from './system-pause';
import { outputTypes, requiredOutputs, shownOutcome, typedOutputs } from './outputs';
import type { Outcome, StepResult } from './types';
import { ESCALATION_ACTIONS } from './vocabulary';

/** How the kit's engine runs a step: its fallback, undo and what happens when it fails. */
export interface StepPolicyOptions<O extends Outcome> {
  /** Another way to the same outcome, taken when retries are exhausted (never for a permanent error). */
  fallback?: { describe: string; run: (reason: string) => Promise<O> };
  /** How to undo the step if the run is abandoned; registered when the step starts. */
  undo?: Undo;
  /** For a step that cannot be undone: what the log says when the run is abandoned. */
  cannotUndo?: string;
  /** `ask` (default): a person decides; `give-up`: the step fails and throws {@link STEP_GAVE_UP}. */
  onFailure?: 'ask' | 'give-up';
}

/** The failure a step with `onFailure: 'give-up'` ends with; a DAG reads it to stop the step's dependents. */
export const STEP_GAVE_UP = 'StepGaveUp';

/**
 * Runs a step until it succeeds, takes its fallback, or a person (or the ladder) decides what happens. Returns its
 * output with the outputs the shape declares read as their types; a person who skips the step gives those.
 */
export async function runStep<O extends Outcome>(
  run: RunContext,
  name: string,
  attempt: () => Promise<StepResult<O>>,
  opts: StepPolicyOptions<O> = {},
): Promise<O> {
  const { tracker, options } = run;
  const declared = run.shape.steps.find((s) => s.name === name)?.outputs;
  if (opts.undo) run.saga.register(name, opts.undo);
  else if (opts.cannotUndo) run.saga.cannotUndo(name, opts.cannotUndo);
  const maximumAttempts = (options.policies[name] ?? options.supportPolicy).maximumAttempts;
  for (;;) {
    tracker.stepStarted(name);
    let failure;
    try {
      const result = await attempt();
      const output = typedOutputs(declared, result.output);
      tracker.stepCompleted(name, result.attempt, shownOutcome(output), 'primary');
      return output;
    } catch (err) {
      const stepFailure = asStepFailure(err);
      // An operator paused the step's system: nothing was sent and nothing failed; wait, then run again.
      const pause = run.systemResumes ? pausedBy(stepFailure) : undefined;
      if (pause && run.systemResumes) {
        await waitWhilePaused(run.tracker, name, pause, run.systemResumes);
        continue;
      }
      failure = describeStepFailure(stepFailure, maximumAttempts);
    }
    const injected = failure.injected ? ' [injected fault]' : '';
    tracker.stepFailed(name, failure.attempts, failure.message + injected);

    if (opts.fallback && !failure.permanent) {
      tracker.log(`${name} exhausted its retries; taking the fallback path: ${opts.fallback.describe}`, name, 'warn');
      try {
        const output = typedOutputs(declared, await opts.fallback.run(failure.message));
        tracker.stepCompleted(name, 0, shownOutcome(output), 'fallback');
        return output;
      } catch (err) {
        tracker.log(`fallback for ${name} failed too: ${failureMessage(asStepFailure(err))}`, name, 'error');
      }
    }
    if (opts.onFailure === 'give-up') {
      throw ApplicationFailure.create({ type: STEP_GAVE_UP, message: `${name} failed: ${failure.message}`, nonRetryable: true });
    }

    const contacts = options.escalation.contacts;
    const required = requiredOutputs(declared);
    const question = run.desk.escalate(name, failure.message + injected, contacts[0] ?? '', required, outputTypes(declared));
    countEscalation(run.shape.name, name);
    const ladder = options.escalation.ladder;
    // An automatic skip cannot invent the outputs later steps need: such a step is aborted instead.
    const automatic = ladder.automaticAction === 'skip' && required.length > 0 ? 'abort' : ladder.automaticAction;
    const decision = await askPerson(run, {
      question,
      contacts,
      ladder,
      subject: `[Overture] ${run.workflowId}: step ${name} needs a decision`,
      body: `Step ${name} of ${run.workflowId} failed: ${failure.message}${injected}\n${howToAct(`overture resolve ${run.workflowId} --step ${name} --action ${ESCALATION_ACTIONS.join('|')} --reason "..."`)}`,
      reminderLog: `reminder sent about escalated step ${name}`,
      handOverLog: (level) => `escalated step ${name} handed to escalation contact #${level + 1}`,
      onNoAnswer: {
        action: automatic,
        reason: 'no decision before the deadline',
        logMessage: `no decision on ${name} before the deadline: automatic ${automatic}`,
      },
    });
    if (decision.action === 'abort') run.abandon('abort', decision);
    if (decision.action === 'skip') {
      const output = typedOutputs(declared, question.output ?? {});
      tracker.stepSkipped(name, shownOutcome(output));
      return output as O;
    }
    // retry: loop and run the step again, as a new activity execution.
  }
}
