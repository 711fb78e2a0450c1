/**
 * The Kubernetes JSON schemas kubeconform validates against, generated offline: the OpenAPI spec of a Kubernetes
 * release comes from the Go module proxy (`go mod download k8s.io/kubernetes@<version>`: its zip holds
 * api/openapi-spec/swagger.json) and each kind becomes a standalone schema in kubeconform's default layout,
 * `<dir>/<version>-standalone[-strict]/<kind>-<group>-<version>.json`, so `-schema-location <dir>` finds it.
 *
 * kubeconform's scripts/openapi2jsonschema.py converts CRDs only, so the same rules are applied here to the
 * built-in kinds: `format: int-or-string` becomes string-or-integer, a quantity may be a string or a number, and
 * the strict variant refuses properties the schema does not name (as `kubectl --validate=strict` does).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findOnPath, overtureCacheDir } from '../dev-stack/executables';
import { downloadGoModule } from '../dev-stack/go-install';

/** The Kubernetes release whose API the chart is validated against. */
export const KUBERNETES_VERSION = 'v1.34.2';
const KUBERNETES_MODULE = 'k8s.io/kubernetes';
const DONE_MARKER = '.complete';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

type Env = NodeJS.ProcessEnv;
type Schema = { [key: string]: unknown };

interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** Raised when the schemas can be neither found in the cache nor generated. */
export class KubernetesSchemasUnavailableError extends Error {
  override name = 'KubernetesSchemasUnavailableError';
}

/** The directory to give kubeconform as `-schema-location` (with `-kubernetes-version` {@link kubeconformVersion}). */
export function kubernetesSchemasDir(env: Env = process.env): string {
  return join(overtureCacheDir(env), `kubernetes-json-schema-${KUBERNETES_VERSION}`);
}

/** The version as kubeconform's `-kubernetes-version` takes it (no leading v). */
export const kubeconformVersion = KUBERNETES_VERSION.replace(/^v/, '');

/** Returns the schema directory, generating it first (once per Kubernetes version) if it is not complete. */
export async function provisionKubernetesSchemas({
  env = process.env,
  log = () => {},
}: { env?: Env; log?: (line: string) => void } = {}): Promise<string> {
  const dir = kubernetesSchemasDir(env);
  if (existsSync(join(dir, DONE_MARKER))) return dir;
  await mkdir(overtureCacheDir(env), { recursive: true });
  const swagger = await readOpenApiSpec(env);
  // Generated beside the target and renamed into place: an interrupted run never leaves half a directory marked done.
  const scratch = await mkdtemp(`${dir}.build-`);
  try {
    const written = await writeSchemas(swagger, scratch);
    await writeFile(join(scratch, DONE_MARKER), `${KUBERNETES_MODULE}@${KUBERNETES_VERSION}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(scratch, dir);
    log(`Kubernetes ${KUBERNETES_VERSION} JSON schemas: ${written} kinds written to ${dir}.`);
    return dir;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function readOpenApiSpec(env: Env): Promise<{ definitions: Record<string, Schema> }> {
  const go = findOnPath('go', env);
  if (!go) {
    throw new KubernetesSchemasUnavailableError(
      `The Kubernetes schemas are not in ${kubernetesSchemasDir(env)} and \`go\` is not on PATH to fetch the OpenAPI spec ` +
        `(${KUBERNETES_MODULE}@${KUBERNETES_VERSION}). Install Go (https://go.dev/dl) and run \`npm run deploy-tools:provision\`.`,
    );
  }
  // The module's go.mod has replace directives; they only matter to a build, not to a download.
  const moduleDir = downloadGoModule({
    go,
    module: KUBERNETES_MODULE,
    version: KUBERNETES_VERSION,
    env,
    cwd: overtureCacheDir(env),
    fail: (message) => new KubernetesSchemasUnavailableError(message),
  });
  return JSON.parse(await readFile(join(moduleDir, 'api', 'openapi-spec', 'swagger.json'), 'utf8')) as {
    definitions: Record<string, Schema>;
  };
}

/** Writes the plain and the strict schema of every kind; returns how many kinds. */
export async function writeSchemas(swagger: { definitions: Record<string, Schema> }, dir: string): Promise<number> {
  const plainDir = join(dir, `${KUBERNETES_VERSION}-standalone`);
  const strictDir = join(dir, `${KUBERNETES_VERSION}-standalone-strict`);
  await mkdir(plainDir, { recursive: true });
  await mkdir(strictDir, { recursive: true });
  let kinds = 0;
  for (const [name, definition] of Object.entries(swagger.definitions)) {
    const gvks = (definition['x-kubernetes-group-version-kind'] ?? []) as GroupVersionKind[];
    // Types shared by every group (DeleteOptions, WatchEvent) list dozens of kinds: they are never a manifest.
    if (gvks.length !== 1) continue;
    const file = schemaFileName(gvks[0]!);
    for (const [target, strict] of [
      [plainDir, false],
      [strictDir, true],
    ] as const) {
      await writeFile(join(target, file), JSON.stringify(standaloneSchema(swagger.definitions, name, strict)));
    }
    kinds++;
  }
  return kinds;
}

/** kubeconform's file name of a kind: `deployment-apps-v1.json`, `service-v1.json`, `ingress-networking-v1.json`. */
export function schemaFileName({ group, version, kind }: GroupVersionKind): string {
  const groupPart = group ? `-${group.split('.')[0]!.toLowerCase()}` : '';
  return `${kind.toLowerCase()}${groupPart}-${version.toLowerCase()}.json`;
}

/** One kind's schema with every definition it reaches under `definitions`, so it needs no other file. */
export function standaloneSchema(definitions: Record<string, Schema>, root: string, strict: boolean): Schema {
  const reached = new Map<string, Schema>();
  const visit = (name: string) => {
    if (reached.has(name)) return;
    const definition = definitions[name];
    if (!definition) throw new Error(`the OpenAPI spec refers to ${name}, which it does not define`);
    reached.set(name, definition);
    for (const ref of refsOf(definition)) visit(ref);
  };
  visit(root);
  const converted: Record<string, unknown> = {};
  for (const [name, definition] of reached) converted[name] = convert(name, definition, strict);
  return { $schema: 'http://json-schema.org/draft-04/schema#', ...(converted[root] as Schema), definitions: converted };
}

function refsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsOf);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [inner.replace('#/definitions/', '')] : refsOf(inner),
  );
}

function convert(name: string, definition: Schema, strict: boolean): Schema {
  // Kubernetes takes `cpu: 1` as well as `cpu: "500m"`.
  if (name === QUANTITY) return { description: definition.description, oneOf: [{ type: 'string' }, { type: 'number' }] };
  return convertNode(definition, strict) as Schema;
}

function convertNode(value: unknown, strict: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => convertNode(v, strict));
  if (value === null || typeof value !== 'object') return value;
  const node = value as Schema;
  if (node.format === 'int-or-string') return { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  const out: Schema = {};
  for (const [key, inner] of Object.entries(node)) {
    // Under `properties` the keys are field names, each a schema: convert the schemas, keep the names.
    out[key] =
      key === 'properties' && inner && typeof inner === 'object'
        ? Object.fromEntries(Object.entries(inner).map(([field, schema]) => [field, convertNode(schema, strict)]))
        : convertNode(inner, strict);
  }
  if (strict && node.properties && !('additionalProperties' in node) && !node['x-kubernetes-preserve-unknown-fields'])
    out.additionalProperties = false;
  return out;
}
