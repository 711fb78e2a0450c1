// @ts-check
/** How the console writes times, durations and links. */

/** A time of day in the browser's locale, or '' when absent. @param {string | undefined} iso */
export const formatTime = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');

/** Date and time in the browser's locale, or ''. @param {string | undefined} iso */
export const formatDateTime = (iso) => (iso ? new Date(iso).toLocaleString() : '');

/** A duration as people read it: 850 ms, 4.2 s, 3 min 5 s, 2 h 10 min, 3 d 4 h. @param {number | undefined} ms */
export function formatDuration(ms) {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.floor(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** From start to end (or to now while open). @param {string | undefined} startedAt @param {string | undefined} [endedAt] */
export function durationBetween(startedAt, endedAt) {
  if (!startedAt) return undefined;
  const end = endedAt ? Date.parse(endedAt) : Date.now();
  return Math.max(0, end - Date.parse(startedAt));
}

/** The console's link to a run. @param {string} workflowId */
export const runHref = (workflowId) => `#/runs/${encodeURIComponent(workflowId)}`;

/** A fan-out child run's parent: `<parent id>/<step>/<item>` (a parent id may itself hold slashes). @param {string} workflowId */
export function parentOf(workflowId) {
  const match = /^(.+)\/([^/]+)\/([^/]+)$/.exec(workflowId);
  return match ? { workflowId: match[1] ?? '', step: match[2] ?? '', item: match[3] ?? '' } : undefined;
}

/**
 * What a run waits for, in words: "a person on approveBudget", "child run x", "event invoice.paid", "until 10:00".
 * @param {import('../api-types').WaitInfo | undefined} wait
 */
export function describeWait(wait) {
  if (!wait) return '';
  const on = wait.step ? ` on ${wait.step}` : '';
  switch (wait.kind) {
    case 'person':
      return `a person${on}`;
    case 'child':
      return `a person in ${wait.childWorkflowId ? `child run ${wait.childWorkflowId}` : 'a child run'}${on}`;
    case 'event':
      return `event ${wait.eventType ?? ''}${on}`.trim();
    case 'time':
      return `until ${formatDateTime(wait.until)}${on}`;
    default:
      return String(wait.kind);
  }
}
