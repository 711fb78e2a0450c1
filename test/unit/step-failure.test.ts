/**
 * How a step's failure is described to people: a spent retry budget says so whichever way Temporal ended it
 * (the deadline passing during an attempt, or an attempt failing when the next retry would start past it).
 */
import { ActivityFailure, ApplicationFailure, RetryState, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { describeStepFailure } from '../../workflows/kit/failures';

const lastAttempt = () =>
  ApplicationFailure.create({
    type: 'Error',
    message: 'SMTP delivery failed: connect ECONNREFUSED',
    details: [{ attempt: 7, injected: false }],
  });
const activityFailure = (retryState: RetryState, cause: Error) =>
  new ActivityFailure('activity failed', 'sendWelcomeEmail', '5', retryState, undefined, cause);

it('says the budget was spent when the deadline passed during an attempt (schedule-to-close timeout)', () => {
  const timeout = new TimeoutFailure('activity ScheduleToClose timeout', undefined, TimeoutType.SCHEDULE_TO_CLOSE);
  Object.assign(timeout, { cause: lastAttempt() });
  const failure = describeStepFailure(activityFailure(RetryState.TIMEOUT, timeout), 3);
  expect(failure).toEqual({
    message: 'retry budget spent: SMTP delivery failed: connect ECONNREFUSED',
    permanent: false,
    injected: false,
    attempts: 7,
  });
});

it('says the budget was spent when the last attempt failed and the next retry would start past the deadline', () => {
  const failure = describeStepFailure(activityFailure(RetryState.TIMEOUT, lastAttempt()), 3);
  expect(failure).toEqual({
    message: 'retry budget spent: SMTP delivery failed: connect ECONNREFUSED',
    permanent: false,
    injected: false,
    attempts: 7,
  });
});

it('does not mention a budget when the attempts ran out or the error was permanent', () => {
  expect(describeStepFailure(activityFailure(RetryState.MAXIMUM_ATTEMPTS_REACHED, lastAttempt()), 3)).toMatchObject({
    message: 'SMTP delivery failed: connect ECONNREFUSED',
    attempts: 3,
  });
  const permanent = ApplicationFailure.create({
    type: 'SmtpRefused',
    message: 'mailbox unavailable',
    nonRetryable: true,
    details: [{ attempt: 1, injected: false }],
  });
  expect(describeStepFailure(activityFailure(RetryState.NON_RETRYABLE_FAILURE, permanent), 3)).toMatchObject({
    message: 'mailbox unavailable',
    permanent: true,
    attempts: 1,
  });
});
