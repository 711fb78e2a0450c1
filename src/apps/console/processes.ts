/** `GET /api/processes`: the registry as the browser needs it, to draw a run's graph and to offer a start form. */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PROCESSES, REPO_ROOT, type ProcessDefinition } from '../../registry';
import type { OutputField } from '../../../workflows/kit/shape';
import type { StepKind } from '../../../workflows/kit/types';

export interface ProcessListing {
  name: string;
  title: string;
  /** Only started by another process (a fan-out's item): listed for its graph, not offered to start. */
  internal: boolean;
  steps: Array<{ name: string; title: string; needs: string[]; kind: StepKind; optional: boolean; outputs: OutputField[] }>;
  /** The input's JSON Schema (as the caller writes it: defaults optional), from which the start form is built; null for an internal process. */
  inputSchema: unknown;
  /** A ready-to-run input of a startable process, with fresh business keys when the process makes them; null when there is none. */
  example: unknown;
}

function readExample(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, file), 'utf8')) as unknown;
  } catch {
    // A missing example only leaves the start form empty: the console still serves every run.
    return null;
  }
}

/** The example a start form offers: the process's file, with fresh business keys when the process makes them. */
function exampleOf(definition: ProcessDefinition<unknown, unknown>): unknown {
  if (definition.internal || !definition.example) return null;
  const example = readExample(definition.example);
  return example !== null && definition.freshExample ? definition.freshExample(example) : example;
}

/** What the browser needs of an input schema; rules that JSON Schema cannot say (refinements) are the server's to check. */
function inputSchemaOf(definition: ProcessDefinition<unknown, unknown>): unknown {
  if (definition.internal) return null;
  return z.toJSONSchema(definition.inputSchema, { io: 'input', unrepresentable: 'any' });
}

/** Every registered process, startable ones first in registry order (examples made fresh at each call). */
export function listProcesses(): ProcessListing[] {
  return PROCESSES.map((p) => ({
    name: p.shape.name,
    title: p.shape.title,
    internal: p.internal === true,
    steps: p.shape.steps.map((s) => ({
      name: s.name,
      title: s.title,
      needs: [...s.needs],
      kind: s.kind,
      optional: s.optional === true,
      outputs: s.outputs ?? [],
    })),
    inputSchema: inputSchemaOf(p),
    example: exampleOf(p),
  })).sort((a, b) => Number(a.internal) - Number(b.internal));
}
