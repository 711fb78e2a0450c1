/**
 * When a schedule runs, in the words of the business: `nightly`, `first-working-day` of the month, or a cron
 * expression; and what happens when a run is still going at the next time (the overlap policy).
 */
import { ScheduleOverlapPolicy, type CalendarSpec, type ScheduleSpec } from '@temporalio/client';

export const OVERLAP_POLICIES = {
  skip: ScheduleOverlapPolicy.SKIP,
  'buffer-one': ScheduleOverlapPolicy.BUFFER_ONE,
  'allow-all': ScheduleOverlapPolicy.ALLOW_ALL,
  'cancel-other': ScheduleOverlapPolicy.CANCEL_OTHER,
  'terminate-other': ScheduleOverlapPolicy.TERMINATE_OTHER,
} as const;

export type OverlapName = keyof typeof OVERLAP_POLICIES;

/** The hour named schedules run at unless told otherwise: the quiet of the night. */
export const DEFAULT_HOUR = 2;

/**
 * The first working day of the month, Monday to Friday (holidays are not known): the 1st when it is a weekday,
 * else the Monday after, which is the 2nd or the 3rd.
 */
function firstWorkingDay(hour: number): CalendarSpec[] {
  return [
    { dayOfMonth: 1, dayOfWeek: { start: 'MONDAY', end: 'FRIDAY' }, hour, comment: 'first working day: the 1st on a weekday' },
    { dayOfMonth: { start: 2, end: 3 }, dayOfWeek: 'MONDAY', hour, comment: 'first working day: the Monday after a weekend 1st' },
  ];
}

/** A cron expression as Temporal takes it: 5 to 7 fields, or a shorthand like @daily. */
export function isCron(when: string): boolean {
  const fields = when.trim().split(/\s+/);
  return /^@\w+/.test(when.trim()) || (fields.length >= 5 && fields.length <= 7);
}

/** Thrown for a `when` that is none of the named schedules nor a cron expression. */
export class ScheduleSpecError extends Error {
  override readonly name = 'ScheduleSpecError';
}

/** The Temporal spec of a `when`: nightly and first-working-day at `hour` (default 2), or the cron expression as given. */
export function scheduleSpecFor(when: string, opts: { hour?: number; timezone: string }): ScheduleSpec {
  const hour = opts.hour ?? DEFAULT_HOUR;
  if (when === 'nightly') return { calendars: [{ hour, comment: 'nightly' }], timezone: opts.timezone };
  if (when === 'first-working-day') return { calendars: firstWorkingDay(hour), timezone: opts.timezone };
  if (!isCron(when))
    throw new ScheduleSpecError(`--when must be nightly, first-working-day or a cron expression such as "0 6 * * MON-FRI", not "${when}"`);
  if (opts.hour !== undefined)
    throw new ScheduleSpecError('--hour goes with nightly or first-working-day; a cron expression has its own hour');
  return { cronExpressions: [when], timezone: opts.timezone };
}
