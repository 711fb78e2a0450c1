/**
 * Relative inputs for scheduled runs: placeholders in an input template, filled in for the scheduled time,
 * read in the schedule's time zone (a nightly run at 00:30 in Berlin is "today" in Berlin, not in UTC).
 *
 * `{{today}}`, `{{yesterday}}` (YYYY-MM-DD), `{{month}}`, `{{previousMonth}}` (YYYY-MM).
 */
import { InputError } from '../../workflows/kit/input';

export const PLACEHOLDER_NAMES = ['today', 'yesterday', 'month', 'previousMonth'] as const;

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

const pad = (n: number) => String(n).padStart(2, '0');

/** Whether a name is an IANA time zone this runtime knows. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The calendar day of an instant in a time zone. */
function calendarDay(at: Date, timeZone: string): { year: number; month: number; day: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: part('year'), month: part('month'), day: part('day') };
}

/** The value of every placeholder at a scheduled time, in a time zone (UTC by default). */
export function placeholderValues(scheduledAt: Date, timeZone = 'UTC'): Record<string, string> {
  const { year, month, day } = calendarDay(scheduledAt, timeZone);
  // Date.UTC rolls day 0 and month 0 over to the previous month and year.
  const yesterday = new Date(Date.UTC(year, month - 1, day - 1));
  const previousMonth = new Date(Date.UTC(year, month - 2, 1));
  return {
    today: `${year}-${pad(month)}-${pad(day)}`,
    yesterday: yesterday.toISOString().slice(0, 10),
    month: `${year}-${pad(month)}`,
    previousMonth: previousMonth.toISOString().slice(0, 7),
  };
}

/** The template with every placeholder in its strings replaced; an unknown placeholder is an InputError naming where it is. */
export function fillPlaceholders(template: unknown, values: Record<string, string>, at = ''): unknown {
  if (typeof template === 'string') {
    return template.replace(PLACEHOLDER, (whole, name: string) => {
      if (Object.hasOwn(values, name)) return values[name]!;
      throw new InputError(
        [`${at || '(input)'}: unknown placeholder ${whole}; placeholders are ${PLACEHOLDER_NAMES.map((n) => `{{${n}}}`).join(', ')}`],
        'schedule input',
      );
    });
  }
  const inside = (key: string | number) => (at ? `${at}.${key}` : String(key));
  if (Array.isArray(template)) return template.map((item, i) => fillPlaceholders(item, values, inside(i)));
  if (typeof template === 'object' && template !== null) {
    return Object.fromEntries(Object.entries(template).map(([key, value]) => [key, fillPlaceholders(value, values, inside(key))]));
  }
  return template;
}
