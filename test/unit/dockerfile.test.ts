/**
 * The image's Dockerfile, checked by its structure (no Docker engine here to build it): a build stage that compiles,
 * a final stage with production packages and compiled code only, run by a non-root user, on the exact Node the
 * fast tier also runs on (.ci/node-24). test/e2e/compiled-build.test.ts runs the compiled code itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/processes';

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** The Dockerfile's stages and their instructions (comments dropped, continuation lines joined). */
function stagesOf(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [keyword, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword!.toUpperCase() === 'FROM') {
      const [from, as, name] = args.split(/\s+/);
      stages.push({ from: from!, ...(as?.toUpperCase() === 'AS' ? { name } : {}), instructions: [] });
    } else stages.at(-1)!.instructions.push({ keyword: keyword!.toUpperCase(), args });
  }
  return stages;
}

const stages = stagesOf(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
const final = stages.at(-1)!;
const byName = (name: string) => stages.find((s) => s.name === name);
/** A stage's instructions, its parent stages' first (`FROM build AS x` inherits build's). */
const lineage = (stage: Stage): Instruction[] => [...(byName(stage.from) ? lineage(byName(stage.from)!) : []), ...stage.instructions];
const of = (stage: Stage, keyword: string) => lineage(stage).filter((i) => i.keyword === keyword);

describe('the Dockerfile', () => {
  it("every stage runs on Node's LTS pinned to the patch, the version the fast tier also runs on", () => {
    const ciVersion = /^version=(\S+)/m.exec(fs.readFileSync(path.join(ROOT, '.ci', 'node-24'), 'utf8'))?.[1];
    const bases = stages.map((s) => s.from).filter((from) => !byName(from));
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) {
      const version = /^node:(\d+)\.(\d+)\.(\d+)-[a-z]+-slim$/.exec(base);
      expect(version).not.toBeNull();
      expect(Number(version![1]) % 2).toBe(0); // even majors are the LTS lines
      expect(Number(version![1])).toBeGreaterThanOrEqual(22);
      expect(base).toBe(`node:${ciVersion}-bookworm-slim`);
    }
  });

  it('a build stage installs every package and compiles; another installs the production packages only', () => {
    const builder = stages.find((s) => of(s, 'RUN').some((r) => r.args.includes('npm run build')));
    expect(builder).toBeDefined();
    expect(of(builder!, 'RUN').some((r) => /npm ci(?! .*--omit)/.test(r.args))).toBe(true);
    const copiedIn = final.instructions.filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from='));
    const dependencies = copiedIn.find((c) => c.args.includes('node_modules'));
    expect(dependencies).toBeDefined();
    const source = byName(/--from=(\S+)/.exec(dependencies!.args)![1]!)!;
    expect(of(source, 'RUN').some((r) => /npm ci .*--omit=dev/.test(r.args))).toBe(true);
    expect(of(source, 'RUN').some((r) => r.args.includes('npm run build'))).toBe(false);
  });

  it('the final stage holds compiled code, bin and package.json only: no tests, benches, sources or dev packages', () => {
    const copies = final.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args.replace(/--from=\S+\s+/, ''));
    const sources = copies.map((c) => c.split(/\s+/)[0]);
    expect(sources.sort()).toEqual(['/app/bin', '/app/dist', '/app/node_modules', 'package.json']);
    for (const line of lineage(final)) expect(line.args).not.toMatch(/\b(test|bench|src|workflows|activities)\b\S*\s+\.?\/?/);
    // The compiled tree leaves out tests and benches (tsconfig.build.json).
    const build = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[]; exclude: string[] };
    expect(build.include).not.toContain('test');
    expect(build.exclude).toContain('src/tools/bench');
  });

  it('runs as a non-root user, with two malloc arenas, the compiled worker by default', () => {
    const user = of(final, 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    const env = of(final, 'ENV')
      .map((e) => e.args)
      .join(' ');
    expect(env).toMatch(/MALLOC_ARENA_MAX=2/);
    expect(env).toMatch(/OVERTURE_COMPILED=1/);
    const cmd = JSON.parse(of(final, 'CMD').at(-1)!.args) as string[];
    expect(cmd[0]).toBe('node');
    expect(cmd[1]).toMatch(/^dist\/.+\.js$/);
    // The compiled file of an existing entry point: dist/ mirrors the repository.
    expect(fs.existsSync(path.join(ROOT, cmd[1]!.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
  });

  it('.dockerignore keeps installed packages, builds, tests, benches and git out of the build context', () => {
    const ignored = fs
      .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const entry of ['node_modules', 'dist', 'test', 'bench', '.git', '.data']) expect(ignored).toContain(entry);
  });
});
