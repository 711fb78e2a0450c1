/**
 * The Helm chart (deploy/helm/overture) as its tests see it: rendered with the cached helm, validated with the
 * cached kubeconform against the offline Kubernetes schemas, and read back as objects, with a container's
 * environment resolved the way the kubelet would (its ConfigMap, its literal values, its Secret references).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { provisionHelm } from '../../src/tools/deploy-tools/helm';
import { provisionKubeconform } from '../../src/tools/deploy-tools/kubeconform';
import { kubeconformVersion, provisionKubernetesSchemas } from '../../src/tools/deploy-tools/kubeconform-schemas';

export const CHART_DIR = path.resolve(__dirname, '../../deploy/helm/overture');
export const PRODUCTION_VALUES = path.resolve(__dirname, '../../deploy/helm/production-values.yaml');

/** The parts of a Kubernetes object the checks read. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: unknown;
  data?: Record<string, string>;
}

/** A Deployment as the checks read it. */
export interface Deployment extends Manifest {
  kind: 'Deployment';
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { spec: PodSpec } };
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext: { runAsNonRoot?: boolean; runAsUser?: number };
  automountServiceAccountToken?: boolean;
  volumes?: Array<{ name: string; secret?: { secretName: string } }>;
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  securityContext?: Record<string, unknown>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

export interface Tools {
  helm: string;
  kubeconform: string;
  schemas: string;
}

/** helm, kubeconform and the schemas from the cache (built on the first run: minutes). */
export async function provisionChartTools(): Promise<Tools> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  return {
    helm: await provisionHelm({ log }),
    kubeconform: await provisionKubeconform({ log }),
    schemas: await provisionKubernetesSchemas({ log }),
  };
}

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(binary: string, args: string[], input?: string): Outcome {
  // A private HOME-like config for helm: no repositories or plugins of this machine's user leak into the check.
  const out = spawnSync(binary, args, {
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { PATH: process.env.PATH, HELM_CACHE_HOME: '/tmp/overture-helm/cache', HELM_CONFIG_HOME: '/tmp/overture-helm/config' },
  });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

/** `helm <args>`. */
export const runHelm = (tools: Tools, args: string[]): Outcome => run(tools.helm, args);

/** `helm template` of the chart with the values files and `--set`s given; the raw outcome (it may fail). */
export function template(tools: Tools, { files = [], sets = [] }: { files?: string[]; sets?: string[] } = {}): Outcome {
  // The cluster version the schemas describe: a go-installed helm otherwise assumes Kubernetes 1.20 (its release
  // build stamps the client-go version), which the chart's kubeVersion refuses.
  const args = ['template', 'overture', CHART_DIR, '--namespace', 'overture', '--kube-version', kubeconformVersion];
  for (const file of files) args.push('--values', file);
  for (const set of sets) args.push('--set', set);
  return runHelm(tools, args);
}

/** The rendered objects of a template that must succeed. */
export function render(tools: Tools, options: { files?: string[]; sets?: string[] } = {}): { text: string; manifests: Manifest[] } {
  const out = template(tools, options);
  if (out.code !== 0) throw new Error(`helm template failed (${out.code}):\n${out.stderr}`);
  const manifests = parseAllDocuments(out.stdout)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
  return { text: out.stdout, manifests };
}

/** `kubeconform -strict` of rendered manifests against the offline schemas, as one summary line per outcome. */
export function kubeconform(tools: Tools, manifests: string): Outcome {
  return run(
    tools.kubeconform,
    ['-strict', '-summary', '-output', 'json', '-kubernetes-version', kubeconformVersion, '-schema-location', tools.schemas, '-'],
    manifests,
  );
}

/** The Deployments of a rendering. */
export const deployments = (manifests: Manifest[]): Deployment[] => manifests.filter((m): m is Deployment => m.kind === 'Deployment');

/** Every workload's pod: its Deployment's name, component label and pod spec. */
export function pods(manifests: Manifest[]): Array<{ name: string; component: string; spec: PodSpec }> {
  return deployments(manifests).map((d) => ({
    name: d.metadata.name,
    component: d.metadata.labels?.['app.kubernetes.io/component'] ?? '',
    spec: d.spec.template.spec,
  }));
}

function secretData(manifests: Manifest[], name: string): Record<string, string> | undefined {
  const secret = manifests.find((m) => m.kind === 'Secret' && m.metadata.name === name);
  if (!secret) return undefined;
  return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

/**
 * The environment a container gets: its ConfigMaps (envFrom), then its own entries, later ones winning as in
 * Kubernetes; a Secret reference resolves to the rendered Secret's value, and an optional key that is absent stays
 * unset. A reference to a Secret or ConfigMap the release does not render is an error.
 */
export function containerEnv(manifests: Manifest[], container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const map = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === source.configMapRef!.name);
      if (!map) throw new Error(`${container.name}: ConfigMap ${source.configMapRef.name} is not rendered`);
      Object.assign(env, map.data);
    } else if (source.secretRef) {
      const data = secretData(manifests, source.secretRef.name);
      if (!data) throw new Error(`${container.name}: Secret ${source.secretRef.name} is not rendered`);
      Object.assign(env, data);
    }
  }
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) env[entry.name] = entry.value;
    const ref = entry.valueFrom?.secretKeyRef;
    if (!ref) continue;
    const data = secretData(manifests, ref.name);
    if (!data) throw new Error(`${container.name}: ${entry.name} refers to Secret ${ref.name}, which is not rendered`);
    if (ref.key in data) env[entry.name] = data[ref.key]!;
    else if (!ref.optional) throw new Error(`${container.name}: ${entry.name} needs key ${ref.key} of Secret ${ref.name}`);
  }
  return env;
}

/**
 * NOTES.txt as `helm install` would print it: `helm template` never renders it, so a copy of the chart wraps it in
 * a template of a ConfigMap, and the note is read back from that.
 */
export function renderNotes(tools: Tools, { files = [], sets = [] }: { files?: string[]; sets?: string[] } = {}): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'overture-chart-'));
  try {
    fs.cpSync(CHART_DIR, copy, { recursive: true });
    const notes = fs.readFileSync(path.join(copy, 'templates', 'NOTES.txt'), 'utf8');
    fs.rmSync(path.join(copy, 'templates', 'NOTES.txt'));
    fs.writeFileSync(path.join(copy, 'templates', '_notes.tpl'), `{{- define "notes-under-test" -}}\n${notes}\n{{- end -}}\n`);
    fs.writeFileSync(
      path.join(copy, 'templates', 'notes-under-test.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: notes }\ndata:\n  notes: {{ include "notes-under-test" . | quote }}\n',
    );
    const args = ['template', 'overture', copy, '--namespace', 'overture', '--kube-version', kubeconformVersion];
    args.push('--show-only', 'templates/notes-under-test.yaml');
    for (const file of files) args.push('--values', file);
    for (const set of sets) args.push('--set', set);
    const out = runHelm(tools, args);
    if (out.code !== 0) throw new Error(`NOTES.txt does not render (${out.code}):\n${out.stderr}`);
    return (parseAllDocuments(out.stdout)[0]!.toJS() as Manifest).data!.notes!;
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}
