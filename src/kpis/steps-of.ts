/** The installed processes' steps, in their shapes' order: how the KPIs list a process's steps. */
import { PROCESSES } from '../registry';

/** The process's step names in its shape's order; empty for a process not installed here (its KPIs stay readable). */
export function stepOrderOf(process: string): string[] {
  return PROCESSES.find((p) => p.shape.name === process)?.shape.steps.map((s) => s.name) ?? [];
}

/** Whether a process of that name is installed. */
export function isInstalled(process: string): boolean {
  return PROCESSES.some((p) => p.shape.name === process);
}
