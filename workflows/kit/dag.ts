/**
 * A DAG of steps: each node starts as soon as the steps it `needs` (from the process shape) are done, so
 * independent nodes run in parallel. A node is keyed by its step's name, the one place the process names it; it
 * gets a handle on its step and the declared outputs of every step it needs. A node may be a branch (`when`), and
 * may let its failure stop only its dependents instead of asking a person.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { RunContext } from './context';
import type { Done, OutputsSeen, StepName } from './shape';
import { STEP_GAVE_UP } from './step';

/** What a node runs, given its step and what the steps it needs handed on. */
export type NodeRun<Sh, K extends StepName<Sh>, Handle> = (step: Handle, done: Done<Sh, K>) => Promise<unknown>;

/** A node with options: a branch, or a failure that stops only the node's dependents. */
export interface NodeWithOptions<Sh, K extends StepName<Sh>, Handle> {
  run: NodeRun<Sh, K, Handle>;
  /** A branch: the node runs only when this holds on the outputs so far; otherwise it is not taken (`otherwise` says why). */
  when?: { holds: (done: Done<Sh, K>) => boolean; otherwise: string };
  /** `skip-dependents`: when the node gives up (its step's `onFailure: 'give-up'`), its dependents are not taken and the rest goes on. */
  onFailure?: 'stop' | 'skip-dependents';
}

export type DagNode<Sh, K extends StepName<Sh>, Handle> = NodeRun<Sh, K, Handle> | NodeWithOptions<Sh, K, Handle>;

/** The nodes of a DAG, keyed by step: `HandleOf<K>` is the handle a node of step K gets. */
export type DagNodes<Sh, HandleOf extends { [K in StepName<Sh>]: unknown }> = { [K in StepName<Sh>]?: DagNode<Sh, K, HandleOf[K]> };

/** What a DAG hands back: the declared outputs of each of its steps (none for a step not taken). */
export type DagOutputs<Sh, Keys> = { readonly [K in Keys & StepName<Sh>]: OutputsSeen<Sh, K> };

/** A node as the runner sees it, whatever its step. */
interface RuntimeNode {
  step: string;
  run: (done: Record<string, unknown>) => Promise<unknown>;
  when?: { holds: (done: Record<string, unknown>) => boolean; otherwise: string };
  onFailure?: 'stop' | 'skip-dependents';
}

const gaveUp = (err: unknown) => err instanceof ApplicationFailure && err.type === STEP_GAVE_UP;

/**
 * Runs the nodes in dependency order, in parallel where the shape allows, in the order they are written where
 * several are ready at once (the order of their commands in the history). `handle` makes a node's step handle;
 * `outputs` holds each finished step's declared outputs, as the handles record them.
 */
export async function runDag(
  run: RunContext,
  nodes: Record<string, DagNode<unknown, never, unknown> | undefined>,
  handle: (step: string) => unknown,
): Promise<Record<string, unknown>> {
  const needs = new Map(run.shape.steps.map((s) => [s.name, s.needs]));
  const list: RuntimeNode[] = [];
  for (const [step, node] of Object.entries(nodes)) {
    if (!node) continue;
    if (!needs.has(step)) throw new Error(`DAG node ${step} is not a step of process ${run.shape.name}`);
    const options = typeof node === 'function' ? { run: node } : node;
    list.push({
      step,
      run: (done) => (options.run as (h: unknown, d: unknown) => Promise<unknown>)(handle(step), done),
      when: options.when as RuntimeNode['when'],
      onFailure: options.onFailure,
    });
  }
  const done = new Set<string>();
  /** Steps whose failure stops their dependents. */
  const blocked = new Set<string>();
  const running = new Map<string, Promise<void>>();
  const known = new Set(list.map((n) => n.step));
  /** The declared outputs of the steps done so far (a node reads those it needs). */
  const seen = () => Object.fromEntries([...done].filter((s) => run.outputs.has(s)).map((s) => [s, run.outputs.get(s)]));

  const start = (node: RuntimeNode) => {
    const finished = node.run(seen()).then(
      () => {
        done.add(node.step);
      },
      (err: unknown) => {
        if (node.onFailure !== 'skip-dependents' || !gaveUp(err)) throw err;
        blocked.add(node.step);
        done.add(node.step);
      },
    );
    running.set(
      node.step,
      finished.finally(() => running.delete(node.step)),
    );
  };

  /** Starts every node that is ready; settles at once the nodes whose need failed or whose branch is not taken. */
  const startReady = () => {
    let settled = true;
    while (settled) {
      settled = false;
      for (const node of list) {
        if (done.has(node.step) || running.has(node.step)) continue;
        // Needs outside this DAG (steps run before it) count as done.
        const required = (needs.get(node.step) ?? []).filter((n) => known.has(n));
        if (!required.every((n) => done.has(n))) continue;
        const failedNeed = required.find((n) => blocked.has(n));
        if (failedNeed) {
          run.tracker.stepNotTaken(node.step, `it needs ${failedNeed}, which failed`);
          blocked.add(node.step);
          done.add(node.step);
          settled = true;
        } else if (node.when && !node.when.holds(seen())) {
          run.tracker.stepNotTaken(node.step, node.when.otherwise);
          done.add(node.step);
          settled = true;
        } else {
          start(node);
        }
      }
    }
  };

  for (;;) {
    startReady();
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  const stuck = list.filter((n) => !done.has(n.step)).map((n) => n.step);
  // A cycle in the shape is a bug in the process definition: fail the workflow task so it can be fixed.
  if (stuck.length) throw new Error(`DAG of ${run.shape.name} cannot finish: ${stuck.join(', ')} wait on each other`);
  return Object.fromEntries(list.map((n) => [n.step, run.outputs.get(n.step)]));
}
