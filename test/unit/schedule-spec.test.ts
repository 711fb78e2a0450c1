/**
 * Schedules in business terms: when they run, and the relative inputs filled in for the scheduled time.
 */
import { fillPlaceholders, placeholderValues } from '../../src/client/schedule-placeholders';
import { scheduleSpecFor, ScheduleSpecError } from '../../src/client/schedule-spec';
import { InputError } from '../../workflows/kit/input';

describe('placeholders', () => {
  it('are read relative to the scheduled time', () => {
    expect(placeholderValues(new Date('2026-11-02T02:00:00Z'))).toEqual({
      today: '2026-11-02',
      yesterday: '2026-11-01',
      month: '2026-11',
      previousMonth: '2026-10',
    });
  });

  it('roll over month and year ends', () => {
    expect(placeholderValues(new Date('2027-01-01T06:00:00Z'))).toEqual({
      today: '2027-01-01',
      yesterday: '2026-12-31',
      month: '2027-01',
      previousMonth: '2026-12',
    });
    expect(placeholderValues(new Date('2028-03-01T06:00:00Z')).yesterday).toBe('2028-02-29');
  });

  it("are read in the schedule's time zone", () => {
    const at = new Date('2026-10-31T23:30:00Z');
    expect(placeholderValues(at, 'UTC').today).toBe('2026-10-31');
    expect(placeholderValues(at, 'Europe/Berlin')).toMatchObject({ today: '2026-11-01', previousMonth: '2026-10' });
  });

  it('fill every string of a template, and name an unknown one by where it is', () => {
    const values = placeholderValues(new Date('2026-11-02T02:00:00Z'));
    expect(fillPlaceholders({ period: '{{previousMonth}}', tags: ['run-{{ today }}'], n: 3 }, values)).toEqual({
      period: '2026-10',
      tags: ['run-2026-11-02'],
      n: 3,
    });
    expect(() => fillPlaceholders({ period: '{{lastQuarter}}' }, values)).toThrow(InputError);
    expect(() => fillPlaceholders({ period: '{{lastQuarter}}' }, values)).toThrow(/period: unknown placeholder \{\{lastQuarter\}\}/);
  });
});

describe('scheduleSpecFor', () => {
  it('runs nightly at the given hour in the given zone', () => {
    expect(scheduleSpecFor('nightly', { hour: 3, timezone: 'Europe/Berlin' })).toEqual({
      calendars: [{ hour: 3, comment: 'nightly' }],
      timezone: 'Europe/Berlin',
    });
  });

  it('runs on the first working day: the 1st on a weekday, else the Monday the 2nd or 3rd', () => {
    const spec = scheduleSpecFor('first-working-day', { timezone: 'UTC' });
    expect(spec.calendars).toEqual([
      expect.objectContaining({ dayOfMonth: 1, dayOfWeek: { start: 'MONDAY', end: 'FRIDAY' }, hour: 2 }),
      expect.objectContaining({ dayOfMonth: { start: 2, end: 3 }, dayOfWeek: 'MONDAY', hour: 2 }),
    ]);
  });

  it('takes a cron expression as given, and refuses anything else', () => {
    expect(scheduleSpecFor('30 6 * * MON-FRI', { timezone: 'UTC' })).toEqual({ cronExpressions: ['30 6 * * MON-FRI'], timezone: 'UTC' });
    expect(() => scheduleSpecFor('weekly-ish', { timezone: 'UTC' })).toThrow(ScheduleSpecError);
    expect(() => scheduleSpecFor('30 6 * * *', { hour: 4, timezone: 'UTC' })).toThrow(/--hour/);
  });
});
