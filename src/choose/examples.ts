/**
 * Which installed process shows each approach, read from the processes' shapes rather than named in code: the one
 * whose runs wait most on events shows the event-driven approach, the one with the most steps side by side a DAG,
 * and the narrowest graph with the longest chain a sequence. Each approach gets its own process while there are enough of them.
 */
import type { ProcessShape } from '../../workflows/kit/shape';
import { APPROACHES, type Approach } from './questions';

/** What the questionnaire reads of an installed process. */
export interface ProcessSummary {
  shape: ProcessShape;
  /** The event types routed to it (they start or advance its runs). */
  eventTypes: readonly string[];
  /** Where its code is, relative to the repository (e.g. `workflows/onboarding/`). */
  path: string;
}

/** The installed process shown for an approach. */
export interface ApproachExample {
  process: string;
  title: string;
  path: string;
}

/** Each step's depth in the graph: the longest chain of needs that leads to it (0 for a first step). */
function depths(shape: ProcessShape): number[] {
  const depth = new Map<string, number>();
  const depthOf = (name: string, seen: readonly string[]): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const needs = (shape.steps.find((s) => s.name === name)?.needs ?? []).filter((n) => !seen.includes(n));
    const d = needs.length ? 1 + Math.max(...needs.map((n) => depthOf(n, [...seen, name]))) : 0;
    depth.set(name, d);
    return d;
  };
  return shape.steps.map((s) => depthOf(s.name, []));
}

/** The most steps that can run at once: steps at the same depth of the graph. */
export function parallelWidth(shape: ProcessShape): number {
  const perLevel = new Map<number, number>();
  for (const d of depths(shape)) perLevel.set(d, (perLevel.get(d) ?? 0) + 1);
  return Math.max(0, ...perLevel.values());
}

/** The number of steps on the longest chain of needs. */
export function chainLength(shape: ProcessShape): number {
  return shape.steps.length ? 1 + Math.max(...depths(shape)) : 0;
}

/** How much a process's runs are moved by events: steps that wait for one count twice, routed event types once. */
function eventWeight(p: ProcessSummary): number {
  return 2 * p.shape.steps.filter((s) => s.kind === 'event').length + p.eventTypes.length;
}

/** How well a process shows each approach (higher is better); ties go to the process listed first. */
const FIT: Readonly<Record<Approach, (p: ProcessSummary) => number>> = {
  'event-driven': (p) => eventWeight(p),
  dag: (p) => 10 * parallelWidth(p.shape) - eventWeight(p),
  sequential: (p) => -100 * parallelWidth(p.shape) + 3 * chainLength(p.shape) - eventWeight(p),
};

/** The order in which approaches pick their example: the most distinctive first, so each gets a process of its own. */
const PICK_ORDER: readonly Approach[] = ['event-driven', 'dag', 'sequential'];

/** The process that shows each approach, from the installed ones; none when nothing is installed. */
export function approachExamples(processes: readonly ProcessSummary[]): Partial<Record<Approach, ApproachExample>> {
  const taken = new Set<string>();
  const examples: Partial<Record<Approach, ApproachExample>> = {};
  for (const approach of PICK_ORDER) {
    const free = processes.filter((p) => !taken.has(p.shape.name));
    const best = bestFor(approach, free.length ? free : processes);
    if (!best) continue;
    taken.add(best.shape.name);
    examples[approach] = { process: best.shape.name, title: best.shape.title, path: best.path };
  }
  return Object.fromEntries(APPROACHES.filter((a) => examples[a]).map((a) => [a, examples[a]]));
}

function bestFor(approach: Approach, processes: readonly ProcessSummary[]): ProcessSummary | undefined {
  let best: ProcessSummary | undefined;
  for (const p of processes) if (!best || FIT[approach](p) > FIT[approach](best)) best = p;
  return best;
}
