/**
 * The workflow modules the bundle preloads (src/registry/workflow-bundle.ts, PRELOADED_WORKFLOW_MODULES) are evaluated
 * once and shared by every run in the worker's reused V8 context. That is safe only for modules without state of
 * their own: the SDK deep-freezes what they export, but a module-level `let`, or a Map, Set, array or object kept
 * in a module-level constant that is neither exported nor `as const`, would be shared by all runs and could leak one run's state into
 * another (non-determinism). This walks every module the preloaded ones import and refuses such declarations.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { PRELOADED_WORKFLOW_MODULES } from '../../src/registry/workflow-bundle';

/** The repository modules a module imports at run time (type-only imports carry no code). */
function runtimeImports(file: string, source: ts.SourceFile): string[] {
  const found: string[] = [];
  for (const statement of source.statements) {
    const isImport = ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly;
    const isReExport = ts.isExportDeclaration(statement) && !statement.isTypeOnly && statement.moduleSpecifier;
    if (!isImport && !isReExport) continue;
    const spec = (statement.moduleSpecifier as ts.StringLiteral).text;
    if (!spec.startsWith('.')) continue;
    const base = path.resolve(path.dirname(file), spec);
    found.push(fs.existsSync(`${base}.ts`) ? `${base}.ts` : path.join(base, 'index.ts'));
  }
  return found;
}

/** Every repository module evaluated when the preloaded modules are. */
function preloadedGraph(): Map<string, ts.SourceFile> {
  const seen = new Map<string, ts.SourceFile>();
  const queue = PRELOADED_WORKFLOW_MODULES.filter((m) => path.isAbsolute(m));
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    seen.set(file, source);
    queue.push(...runtimeImports(file, source));
  }
  return seen;
}

const MUTABLE_CONTAINERS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Array', 'Object']);

/** Why a top-level statement would hold state shared by every run, or undefined when it holds none. */
function sharedState(statement: ts.Statement): string | undefined {
  if (ts.isClassDeclaration(statement)) {
    const field = statement.members.find(
      (m) => ts.isPropertyDeclaration(m) && m.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword),
    );
    return field ? `static field ${field.name?.getText() ?? ''}` : undefined;
  }
  if (!ts.isVariableStatement(statement)) return undefined;
  const list = statement.declarationList;
  if (!(list.flags & ts.NodeFlags.Const)) return `${list.getText().split(/\s/)[0]} ${list.declarations[0]!.name.getText()}`;
  // An exported constant is deep-frozen by the SDK; an unexported one must not be a container that can change.
  if (statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return undefined;
  for (const d of list.declarations) {
    let init = d.initializer;
    // `as const` makes a literal read-only: TypeScript refuses every write to it.
    if (init && ts.isAsExpression(init) && init.type.getText() === 'const') continue;
    while (init && (ts.isAsExpression(init) || ts.isSatisfiesExpression(init) || ts.isParenthesizedExpression(init)))
      init = init.expression;
    if (!init) continue;
    const container =
      ts.isArrayLiteralExpression(init) ||
      ts.isObjectLiteralExpression(init) ||
      (ts.isNewExpression(init) && MUTABLE_CONTAINERS.has(init.expression.getText()));
    if (container) return `unexported container ${d.name.getText()} (export it to have it frozen, or wrap it in Object.freeze)`;
  }
  return undefined;
}

it('finds module-level state: a let, an unexported Map or array, a static field; not exported or read-only constants', () => {
  const source = ts.createSourceFile(
    'x.ts',
    [
      'let runs = 0;',
      'const seen = new Map<string, number>();',
      'const queue: string[] = [];',
      'class Desk { static open = 0; }',
      'export const LIMITS = { max: 1 };',
      "const FIELDS = ['a', 'b'] as const;",
      'const MAX = 3;',
    ].join('\n'),
    ts.ScriptTarget.ES2022,
    true,
  );
  expect(source.statements.map((s) => sharedState(s) !== undefined)).toEqual([true, true, true, true, false, false, false]);
});

it('preloads the kit and the SDK, and the kit reaches the modules a process workflow needs', () => {
  const graph = preloadedGraph();
  expect(PRELOADED_WORKFLOW_MODULES).toContain('@temporalio/workflow');
  expect([...graph.keys()].map((f) => path.basename(f))).toEqual(expect.arrayContaining(['index.ts', 'process.ts', 'step-proxies.ts']));
});

it('keeps no module-level state in any preloaded workflow module', () => {
  const problems: string[] = [];
  for (const [file, source] of preloadedGraph()) {
    for (const statement of source.statements) {
      const why = sharedState(statement);
      if (why) problems.push(`${path.relative(process.cwd(), file)}: ${why}`);
    }
  }
  expect(problems).toEqual([]);
});
