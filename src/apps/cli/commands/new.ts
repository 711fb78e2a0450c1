/**
 * `overture new process NAME`: writes a working three-step process in its two folders (workflows/NAME and
 * activities/NAME), its example input and its tests, and adds its line to the registry. `npm test` passes on it at
 * once; `npx overture start NAME examples/NAME.json` runs it on `npm start`'s stack. Offline: it reads no
 * configuration and connects to nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as Prettier from 'prettier';
import { UsageError, type Io } from '../io';
import { parseArgs } from 'node:util';
import { namesOf, processFiles } from '../scaffold/templates';
import { INSTALLED, PROCESSES, REPO_ROOT } from '../../../registry';
import { printJson, type CliCommand } from '../command';

const NEW_USAGE = `usage: overture new process NAME [--json]

Writes a working three-step process (workflows/NAME, activities/NAME, examples/NAME.json, test/processes/NAME) and
adds it to src/registry/installed.ts. Offline: reads no configuration and connects to nothing.

  --json   {process, files: [path], installed: "src/registry/installed.ts"}`;

/** A process name: kebab-case, as folders, workflow ids and event types spell it. */
const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const MAX_NAME = 40;

/** Names the registry keeps for itself: `kit` is the kit's folder in workflows/ and activities/. */
const RESERVED = new Set(['kit', 'index', 'registry']);

/** Refuses a name that is not a valid identifier, or that an installed process, a folder or a workflow already has. */
function checkName(name: string | undefined, root: string, installed: readonly string[], workflowTypes: readonly string[]): string {
  if (!name) throw new UsageError('new process takes NAME, e.g. overture new process expense-approval');
  if (!NAME.test(name) || name.length > MAX_NAME) {
    throw new UsageError(
      `"${name}" is not a valid process name: ${MAX_NAME} characters at most, lowercase letters and digits in words joined by "-", starting with a letter (e.g. expense-approval)`,
    );
  }
  if (RESERVED.has(name)) throw new UsageError(`"${name}" is reserved: choose another name`);
  if (installed.includes(name)) throw new UsageError(`a process named "${name}" is installed already (src/registry/installed.ts)`);
  const taken = Object.keys(processFiles(namesOf(name))).find((file) => fs.existsSync(path.join(root, file)));
  const folder = ['workflows', 'activities'].map((side) => path.join(side, name)).find((dir) => fs.existsSync(path.join(root, dir)));
  if (folder ?? taken) throw new UsageError(`${folder ?? taken} exists already: a process named "${name}" is there, or was`);
  const workflowType = namesOf(name).camel;
  if (workflowTypes.includes(workflowType)) throw new UsageError(`a workflow named ${workflowType} exists already: choose another name`);
  return name;
}

/** Adds the process's line to the registry's list (src/registry/installed.ts), before the list's end. */
function install(root: string, name: string): void {
  const file = path.join(root, 'src', 'registry', 'installed.ts');
  const text = fs.readFileSync(file, 'utf8');
  const start = text.indexOf('INSTALLED_PROCESSES');
  const end = start < 0 ? -1 : text.indexOf('];', start);
  if (end < 0) throw new Error(`cannot find the list of INSTALLED_PROCESSES in ${file}`);
  fs.writeFileSync(file, `${text.slice(0, end)}  '${name}',\n${text.slice(end)}`);
}

/** Formats a written file with the repository's Prettier settings, when Prettier is installed (it is, for development). */
async function format(file: string): Promise<void> {
  let prettier: typeof Prettier;
  try {
    prettier = await import('prettier');
  } catch {
    return;
  }
  const options = await prettier.resolveConfig(file);
  fs.writeFileSync(file, await prettier.format(fs.readFileSync(file, 'utf8'), { ...options, filepath: file }));
}

/** Runs `new process NAME`; returns the exit code. */
export async function newProcess(
  args: string[],
  io: Io,
  opts: { root: string; installed: readonly string[]; workflowTypes: readonly string[] },
): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
  const [kind, rawName, ...extra] = positionals;
  if (kind !== 'process' || extra.length) throw new UsageError('new takes: process NAME');
  const name = checkName(rawName, opts.root, opts.installed, opts.workflowTypes);
  const files = processFiles(namesOf(name));
  for (const [file, text] of Object.entries(files)) {
    const target = path.join(opts.root, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // `wx`: never overwrite, even if something appeared since the check.
    fs.writeFileSync(target, text, { flag: 'wx' });
    await format(target);
    if (!values.json) io.stdout(`wrote ${file}`);
  }
  install(opts.root, name);
  if (values.json) {
    printJson(io, { process: name, files: Object.keys(files), installed: 'src/registry/installed.ts' });
    return 0;
  }
  io.stdout(`installed ${name} (src/registry/installed.ts)`);
  io.stdout(
    [
      '',
      `Next: npm test -- test/processes/${name}     (its tests, on the time-skipping server)`,
      `      npm start, then npx overture start ${name} examples/${name}.json`,
      `      and npx overture approve ${name}-first-request --decision approve`,
      '      docs/writing-a-process.md takes it from there.',
    ].join('\n'),
  );
  return 0;
}

/** `overture new process NAME`: writes files in this checkout; no configuration, no Temporal. */
export const command: CliCommand = {
  name: 'new',
  summary: 'write a new process and install it',
  usage: NEW_USAGE,
  verbs: ['process'],
  options: ['json'],
  run: (args, io) =>
    newProcess(args, io, {
      // The sources' root: the compiled build's REPO_ROOT is dist/, inside it (a new process is TypeScript).
      root: path.extname(__filename) === '.js' ? path.dirname(REPO_ROOT) : REPO_ROOT,
      installed: INSTALLED.map((p) => p.folder),
      workflowTypes: PROCESSES.map((p) => p.workflowType),
    }),
};
