/* Overture operator console: how the KPI pages word and colour their figures (no DOM, no framework). */
// @ts-check
import { formatDuration as formatAnyDuration } from './format.js';

/** @typedef {import('../page-types').StepKpis} StepKpis */

/** The periods the KPI pages offer, as the API's `since` values. */
export const PERIODS = [
  { value: '1d', label: 'last day' },
  { value: '7d', label: 'last 7 days' },
  { value: '30d', label: 'last 30 days' },
  { value: '90d', label: 'last 90 days' },
];

/**
 * A duration as a person reads it, or "–" when there is none (no run got that far).
 * @param {number | undefined | null} ms
 * @returns {string}
 */
export const formatDuration = (ms) => (ms === undefined || ms === null || !Number.isFinite(ms) ? '–' : formatAnyDuration(ms));

/**
 * A duration in one unit, short enough for a chart's axis: "500 ms", "45 s", "3.5 min", "2 h", "1.5 d".
 * @param {number} ms
 * @returns {string}
 */
export function formatAxisDuration(ms) {
  /** @param {number} value @param {string} unit */
  const one = (value, unit) => `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
  if (ms === 0) return '0';
  if (ms < 1000) return one(Math.round(ms), 'ms');
  if (ms < 60_000) return one(ms / 1000, 's');
  if (ms < 3_600_000) return one(ms / 60_000, 'min');
  if (ms < 86_400_000) return one(ms / 3_600_000, 'h');
  return one(ms / 86_400_000, 'd');
}

/** Tick steps for a duration axis, so ticks fall on round times (10 s, 5 min, 1 h), not on round milliseconds. */
export const DURATION_TICKS = [
  ...[1, 10, 100].map((ms) => ms),
  ...[1, 5, 10, 30].map((s) => s * 1000),
  ...[1, 5, 10, 30].map((min) => min * 60_000),
  ...[1, 2, 6, 12].map((h) => h * 3_600_000),
  ...[1, 2, 7, 30].map((d) => d * 86_400_000),
];

/**
 * A rate (0..1) as a percentage: "0 %", "12.5 %", "100 %".
 * @param {number | undefined | null} rate
 * @returns {string}
 */
export function formatRate(rate) {
  if (rate === undefined || rate === null || !Number.isFinite(rate)) return '–';
  const percent = rate * 100;
  return `${Number.isInteger(percent) ? percent : percent.toFixed(1)} %`;
}

/**
 * What a node of the KPI graph can be coloured by: its step's median or p95 time, the part of it spent waiting
 * for a person, its escalation rate or its error rate.
 * @type {{ value: string, label: string, of: (s: StepKpis) => number | undefined, format: (v: number | undefined) => string }[]}
 */
export const HEAT_MEASURES = [
  { value: 'median', label: 'median time', of: (s) => s.medianMs, format: formatDuration },
  { value: 'p95', label: 'p95 time', of: (s) => s.p95Ms, format: formatDuration },
  { value: 'personWait', label: 'share waiting for a person', of: (s) => s.personWaitMs.share, format: formatRate },
  { value: 'escalation', label: 'escalation rate', of: (s) => s.escalationRate, format: formatRate },
  { value: 'error', label: 'error rate', of: (s) => s.errorRate, format: formatRate },
];

/** How many heat levels the style sheet colours (.heat-0 … .heat-4); a step with no figure gets none. */
export const HEAT_LEVELS = 5;

/**
 * A heat level for each step with a figure: 0 for the smallest, HEAT_LEVELS - 1 for the largest of the
 * process (relative, as Camunda Optimize's heat map is: the hot spots are the steps that cost the most here).
 * @param {StepKpis[]} steps
 * @param {(s: StepKpis) => number | undefined} of
 * @returns {Map<string, number>}
 */
export function heatLevels(steps, of) {
  const values = steps.map((s) => /** @type {[string, number | undefined]} */ ([s.step, of(s)]));
  const figures = /** @type {number[]} */ (values.map(([, v]) => v).filter((v) => typeof v === 'number' && Number.isFinite(v)));
  const max = Math.max(0, ...figures);
  const levels = new Map();
  for (const [step, value] of values) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    levels.set(step, max === 0 ? 0 : Math.min(HEAT_LEVELS - 1, Math.floor((value / max) * HEAT_LEVELS)));
  }
  return levels;
}

/**
 * The words for a heat level, so the colour is never the only carrier of the figure.
 * @param {number | undefined} level
 * @returns {string}
 */
export function heatWord(level) {
  if (level === undefined) return 'no data';
  return ['lowest', 'low', 'middle', 'high', 'highest'][level] ?? 'high';
}

/**
 * A step's dependencies in words, for people who do not see the graph's arrows.
 * @param {{ name: string, needs: string[] }[]} steps
 * @returns {string[]}
 */
export function dependencySentences(steps) {
  return steps.map((s) => (s.needs.length ? `${s.name} runs after ${s.needs.join(' and ')}` : `${s.name} runs first`));
}

/**
 * A UTC day ('YYYY-MM-DD') as the Unix seconds uPlot plots on its time axis.
 * @param {string} day
 * @returns {number}
 */
export const daySeconds = (day) => Date.parse(`${day}T00:00:00Z`) / 1000;
