/**
 * docker-compose.yml as its tests see it: resolved by the real `docker compose config --format json` (the plugin
 * built by `npm run deploy-tools:provision`), with nothing from the caller's shell or a local .env leaking in, and
 * read back as services with their environment, ports, mounts and dependencies.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findOnPath } from '../../src/tools/dev-stack/executables';
import { provisionComposePlugin, type ComposePlugin } from '../../src/tools/deploy-tools/compose-plugin';

export const ROOT = path.resolve(__dirname, '../..');
export const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');

/** A service as `docker compose config` normalizes it (long syntax everywhere). */
export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[] | null;
  entrypoint?: string[] | null;
  environment?: Record<string, string | null>;
  ports?: Array<{ target: number; published?: string; host_ip?: string; protocol?: string }>;
  // type: 'bind', 'volume', 'tmpfs', ...
  volumes?: Array<{ type: string; source?: string; target: string; read_only?: boolean }>;
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  healthcheck?: { test?: string[]; disable?: boolean; interval?: string; timeout?: string; retries?: number };
  restart?: string;
  container_name?: string;
  deploy?: { replicas?: number };
}

export interface ComposeConfig {
  name: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** The plugin, provisioned (built on first use, then from the cache). */
export async function composePlugin(): Promise<ComposePlugin> {
  return provisionComposePlugin({ log: (line) => process.stderr.write(`${line}\n`) });
}

/**
 * `docker compose config --format json` of the repository's file with these variables as the only .env: through the
 * Docker CLI when it is installed (as a person would run it), else the plugin binary alone (the same program).
 */
export function composeConfig(plugin: ComposePlugin, variables: Record<string, string> = {}): ComposeConfig {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'overture-compose-'));
  try {
    const envFile = path.join(dir, 'env');
    fs.writeFileSync(
      envFile,
      Object.entries(variables)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );
    const args = ['--project-directory', ROOT, '-f', COMPOSE_FILE, '--env-file', envFile, 'config', '--format', 'json'];
    // Only what finding the programs needs: a POSTGRES_PASSWORD in the caller's shell must not change the answer.
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? os.homedir(),
      DOCKER_CONFIG: path.dirname(path.dirname(plugin.pluginLink)),
    };
    const docker = findOnPath('docker', env);
    const [program, programArgs] = docker ? [docker, ['compose', ...args]] : [plugin.binary, args];
    const run = spawnSync(program, programArgs, { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    if (run.status !== 0) throw new Error(`${path.basename(program)} ${programArgs.join(' ')} failed (${run.status}):\n${run.stderr}`);
    return JSON.parse(run.stdout) as ComposeConfig;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `docker compose config` writes a literal `$` back as `$$` (its own escape); this is what the container gets. */
export const unescapeDollars = (text: string): string => text.replace(/\$\$/g, '$');

/** The environment a container starts with: every value a string (compose's null means "from the shell": unset here). */
export function environmentOf(service: ComposeService): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).flatMap(([k, v]) => (v === null ? [] : [[k, unescapeDollars(v)] as const])),
  );
}

/** The host port a container port is published on, if it is. */
export function publishedPort(service: ComposeService, target: number): { hostIp?: string; port: number } | undefined {
  const found = (service.ports ?? []).find((p) => p.target === target && p.published !== undefined);
  return found ? { hostIp: found.host_ip, port: Number(found.published) } : undefined;
}

/** A one-shot job: it runs to completion and is never restarted (others wait for it to succeed). */
export const isOneShot = (service: ComposeService): boolean => service.restart === 'no';

/** The mount of a bind source path (relative to the repository), if the service has one. */
export function bindMount(service: ComposeService, repoPath: string): { target: string; readOnly: boolean } | undefined {
  const source = path.join(ROOT, repoPath);
  const found = (service.volumes ?? []).find((v) => v.type === 'bind' && v.source === source);
  return found ? { target: found.target, readOnly: found.read_only === true } : undefined;
}
