/**
 * A DAG of steps: each node starts as soon as the steps it `needs` (from the process shape) are done, so
 * independent nodes run in parallel. A node may be a branch (`when`), and may let its failure stop only
 * its dependents instead of asking a person.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { RunContext } from './context';
import { STEP_GAVE_UP } from './step';

export interface DagNode {
  /** A step of the process shape; its `needs` come from there. */
  step: string;
  /** Runs the node; what it returns is kept for later nodes' conditions. */
  run: () => Promise<unknown>;
  /** A branch: the node runs only when this holds on the outputs so far; otherwise it is not taken. */
  when?: { holds: (outputs: ReadonlyMap<string, unknown>) => boolean; otherwise: string };
  /** `skip-dependents`: when the node gives up (onFailure: 'give-up'), its dependents are not taken and the rest goes on. */
  onFailure?: 'stop' | 'skip-dependents';
}

const gaveUp = (err: unknown) => err instanceof ApplicationFailure && err.type === STEP_GAVE_UP;

/** Runs the nodes in dependency order, in parallel where the shape allows; returns each node's output. */
export async function runDag(run: RunContext, nodes: DagNode[]): Promise<Map<string, unknown>> {
  const needs = new Map(run.shape.steps.map((s) => [s.name, s.needs]));
  for (const node of nodes) {
    if (!needs.has(node.step)) throw new Error(`DAG node ${node.step} is not a step of process ${run.shape.name}`);
  }
  const outputs = new Map<string, unknown>();
  const done = new Set<string>();
  /** Steps whose failure stops their dependents. */
  const blocked = new Set<string>();
  const running = new Map<string, Promise<void>>();
  const known = new Set(nodes.map((n) => n.step));

  const start = (node: DagNode) => {
    const finished = node.run().then(
      (output) => {
        outputs.set(node.step, output);
        done.add(node.step);
      },
      (err: unknown) => {
        if (node.onFailure !== 'skip-dependents' || !gaveUp(err)) throw err;
        blocked.add(node.step);
        done.add(node.step);
      },
    );
    running.set(node.step, finished.finally(() => running.delete(node.step)));
  };

  /** Starts every node that is ready; settles at once the nodes whose need failed or whose branch is not taken. */
  const startReady = () => {
    let settled = true;
    while (settled) {
      settled = false;
      for (const node of nodes) {
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
        } else if (node.when && !node.when.holds(outputs)) {
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
  const stuck = nodes.filter((n) => !done.has(n.step)).map((n) => n.step);
  // A cycle in the shape is a bug in the process definition: fail the workflow task so it can be fixed.
  if (stuck.length) throw new Error(`DAG of ${run.shape.name} cannot finish: ${stuck.join(', ')} wait on each other`);
  return outputs;
}
