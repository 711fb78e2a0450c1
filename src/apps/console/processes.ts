/** `GET /api/processes`: the registry as the browser needs it, to draw a run's graph and to offer a start form. */
import fs from 'node:fs';
import path from 'node:path';
import { PROCESSES } from '../../registry';
import type { StepKind } from '../../../workflows/kit/types';

/** The repository's root: example paths in the registry are relative to it. */
const REPO_ROOT = path.join(__dirname, '..', '..', '..');

export interface ProcessListing {
  name: string;
  title: string;
  /** Only started by another process (a fan-out's item): listed for its graph, not offered to start. */
  internal: boolean;
  steps: Array<{ name: string; title: string; needs: string[]; kind: StepKind; optional: boolean }>;
  /** The parsed example input of a startable process; null when there is none (or it cannot be read). */
  example: unknown;
}

let cached: ProcessListing[] | undefined;

function readExample(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, file), 'utf8')) as unknown;
  } catch {
    // A missing example only leaves the start form empty: the console still serves every run.
    return null;
  }
}

/** Every registered process, startable ones first in registry order; read once (the registry is fixed at startup). */
export function listProcesses(): ProcessListing[] {
  cached ??= PROCESSES.map((p) => ({
    name: p.shape.name,
    title: p.shape.title,
    internal: p.internal === true,
    steps: p.shape.steps.map((s) => ({ name: s.name, title: s.title, needs: [...s.needs], kind: s.kind, optional: s.optional === true })),
    example: p.internal ? null : readExample(p.example),
  })).sort((a, b) => Number(a.internal) - Number(b.internal));
  return cached;
}
