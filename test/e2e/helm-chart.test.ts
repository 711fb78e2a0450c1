/**
 * The Helm chart (deploy/helm/overture), checked without a cluster: `helm lint`, `helm template` with the default
 * values and with deploy/helm/production-values.yaml piped to `kubeconform -strict` against the Kubernetes
 * v1.34 schemas generated offline, and what a schema cannot see: every container probed on /healthz and /readyz,
 * non-root with a read-only root, the worker's replicas and builds from values, no secret in a ConfigMap, and the
 * environment each pod gets accepted by Overture's own configuration (loadConfig) and key ring parser.
 */
import { ConfigError, loadConfig } from '../../src/config';
import { parseKeyRing } from '../../src/temporal/codec/key-ring';
import {
  CHART_DIR,
  PRODUCTION_VALUES,
  containerEnv,
  deployments,
  kubeconform,
  pods,
  provisionChartTools,
  render,
  renderNotes,
  runHelm,
  template,
  type Deployment,
  type Manifest,
  type Tools,
} from '../helpers/helm-chart';

// A cold cache builds helm and kubeconform with Go (several minutes on 2 cores); a warm one takes seconds.
jest.setTimeout(60_000);

let tools: Tools;
beforeAll(async () => {
  tools = await provisionChartTools();
}, 30 * 60_000);

const VARIANTS: Array<[string, string[]]> = [
  ['default values', []],
  ['production values', [PRODUCTION_VALUES]],
];

/** The secret variables Overture reads: none of them may reach a pod except through a Secret. */
const SECRET_VARIABLES = [
  'OVERTURE_CODEC_KEYS',
  'EVENT_SOURCES',
  'TEMPORAL_API_KEY',
  'OIDC_CLIENT_SECRET',
  'SMTP_URL',
  'NOTIFY_WEBHOOK_URL',
  'LEDGER_URL',
  'DIRECTORY_URL',
  'SYSTEMS_URL',
  'OPERATORS_URL',
  'APPROVAL_LINKS_URL',
  'EVENT_RECEIPTS_URL',
  'KPIS_URL',
  'ACCOUNTING_URL',
  'WAREHOUSE_URL',
];

test.each([['default values', []] as [string, string[]], ['production values', ['--values', PRODUCTION_VALUES]]])(
  'helm lint --strict passes with %s',
  (_label, args) => {
    const out = runHelm(tools, ['lint', '--strict', CHART_DIR, ...args]);
    expect(out.stderr + out.stdout).toContain('0 chart(s) failed');
    expect(out.code).toBe(0);
  },
);

describe.each(VARIANTS)('helm template with %s', (_label, files) => {
  let text: string;
  let manifests: Manifest[];
  beforeAll(() => ({ text, manifests } = render(tools, { files })));

  test('kubeconform -strict finds every object valid against the Kubernetes v1.34 schemas', () => {
    const out = kubeconform(tools, text);
    const summary = JSON.parse(out.stdout) as { summary: Record<string, number> };
    // No object skipped for want of a schema, none invalid or in error: each one was checked.
    expect(summary.summary).toEqual({ valid: manifests.length, invalid: 0, errors: 0, skipped: 0 });
    expect(out.code).toBe(0);
  });

  test('the worker, the console and the gateway each run, probed on /healthz and /readyz of a port they open', () => {
    const components = new Set(pods(manifests).map((p) => p.component));
    expect(components).toEqual(new Set(['worker', 'console', 'gateway']));
    for (const pod of pods(manifests)) {
      for (const container of pod.spec.containers) {
        const ports = new Map((container.ports ?? []).map((p) => [p.name, p.containerPort]));
        expect([pod.name, container.livenessProbe?.httpGet?.path]).toEqual([pod.name, '/healthz']);
        expect([pod.name, container.readinessProbe?.httpGet?.path]).toEqual([pod.name, '/readyz']);
        for (const probe of [container.livenessProbe!, container.readinessProbe!]) {
          expect([pod.name, ports.has(String(probe.httpGet!.port))]).toEqual([pod.name, true]);
        }
        // The port probed is the one the part serves its health on.
        const env = containerEnv(manifests, container);
        const served = { worker: env.HEALTH_PORT, console: env.CONSOLE_PORT, gateway: env.EVENTS_PORT }[pod.component];
        expect([pod.name, String(ports.get(String(container.livenessProbe!.httpGet!.port)))]).toEqual([pod.name, served]);
        expect([pod.name, env.METRICS_HOST]).toEqual([pod.name, '0.0.0.0']);
      }
    }
  });

  test('every container runs as a non-root user on a read-only root, without privilege escalation', () => {
    for (const pod of pods(manifests)) {
      expect([pod.name, pod.spec.securityContext.runAsNonRoot]).toEqual([pod.name, true]);
      expect(pod.spec.securityContext.runAsUser).toBeGreaterThan(0);
      expect(pod.spec.automountServiceAccountToken).toBe(false);
      for (const container of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
        expect([pod.name, container.securityContext]).toMatchObject([
          pod.name,
          { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        ]);
      }
    }
  });

  test('no secret is inlined: ConfigMaps hold no secret variable and no secret value, pods read them from the Secret', () => {
    const secret = manifests.find((m) => m.kind === 'Secret')!;
    const secretValues = Object.values(secret.data!).map((v) => Buffer.from(v, 'base64').toString('utf8'));
    for (const map of manifests.filter((m) => m.kind === 'ConfigMap')) {
      for (const [key, value] of Object.entries(map.data ?? {})) {
        expect([key, SECRET_VARIABLES.includes(key)]).toEqual([key, false]);
        expect([key, /^postgres(ql)?:\/\//.test(value)]).toEqual([key, false]);
        for (const secretValue of secretValues) expect([key, value.includes(secretValue)]).toEqual([key, false]);
      }
    }
    for (const pod of pods(manifests)) {
      for (const container of pod.spec.containers) {
        for (const entry of container.env ?? []) {
          if (SECRET_VARIABLES.includes(entry.name)) expect([entry.name, entry.value]).toEqual([entry.name, undefined]);
        }
      }
    }
  });

  test("each pod's environment passes Overture's configuration schema and carries a usable key ring", () => {
    for (const pod of pods(manifests)) {
      for (const container of pod.spec.containers) {
        const env = containerEnv(manifests, container);
        let problem: unknown;
        try {
          loadConfig(env);
        } catch (err) {
          problem = err instanceof ConfigError ? err.message : err;
        }
        expect([pod.name, problem]).toEqual([pod.name, undefined]);
        expect(parseKeyRing(env.OVERTURE_CODEC_KEYS!, 'OVERTURE_CODEC_KEYS').keys.size).toBeGreaterThan(0);
        // Worker and console sign and verify approval links with the same file, mounted from the Secret.
        const mounts = container.volumeMounts ?? [];
        expect(mounts.some((m) => env.APPROVAL_LINK_KEY_FILE!.startsWith(`${m.mountPath}/`))).toBe(true);
      }
    }
  });
});

describe('the worker from values', () => {
  const workers = (manifests: Manifest[]) =>
    deployments(manifests).filter((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'worker');
  const buildIdOf = (manifests: Manifest[], deployment: Deployment) =>
    containerEnv(manifests, deployment.spec.template.spec.containers[0]!).OVERTURE_BUILD_ID;

  test('unversioned: one Deployment with worker.replicas pods and no build id', () => {
    const { manifests } = render(tools, { sets: ['worker.replicas=5'] });
    expect(workers(manifests).map((d) => [d.metadata.name, d.spec.replicas, buildIdOf(manifests, d)])).toEqual([
      ['overture-worker', 5, undefined],
    ]);
  });

  test('versioned: a Deployment per build, the current one with worker.replicas, older ones draining with their own image', () => {
    const { manifests } = render(tools, { files: [PRODUCTION_VALUES], sets: ['worker.replicas=7'] });
    const rows = workers(manifests).map((d) => [
      d.metadata.name,
      d.spec.replicas,
      buildIdOf(manifests, d),
      d.metadata.labels!['overture.dev/build-role'],
      d.spec.template.spec.containers[0]!.image,
    ]);
    expect(rows).toEqual([
      [
        'overture-worker-2026-12-07-4b1e9a2',
        7,
        '2026.12.07-4b1e9a2',
        'current',
        'registry.example.com/overture/overture:2026.12.07-4b1e9a2',
      ],
      [
        'overture-worker-2026-11-27-3f9c2e1',
        2,
        '2026.11.27-3f9c2e1',
        'draining',
        'registry.example.com/overture/overture:2026.11.27-3f9c2e1',
      ],
    ]);
    // Two builds' pods never share a selector: a rollout of one leaves the other's pods alone.
    const selectors = workers(manifests).map((d) => JSON.stringify(d.spec.selector.matchLabels));
    expect(new Set(selectors).size).toBe(2);
  });

  test('versioned without a build id: the image tag is the build id', () => {
    const { manifests } = render(tools, { sets: ['worker.versioning.enabled=true', 'image.tag=1.4.0'] });
    expect(workers(manifests).map((d) => [d.metadata.name, buildIdOf(manifests, d)])).toEqual([['overture-worker-1-4-0', '1.4.0']]);
  });

  test('the same build listed twice is refused', () => {
    const out = template(tools, {
      sets: [
        'worker.versioning.enabled=true,worker.versioning.buildId=v2',
        'worker.versioning.previousBuilds[0].buildId=v2,worker.versioning.previousBuilds[0].imageTag=v2,worker.versioning.previousBuilds[0].replicas=1',
      ],
    });
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('worker build "v2" appears twice');
  });
});

describe('a Secret the team manages (secrets.existingSecret)', () => {
  test('the chart renders no Secret, and every pod reads each secret variable and the link key from the named one', () => {
    const { text, manifests } = render(tools, { files: [PRODUCTION_VALUES], sets: ['secrets.existingSecret=overture-managed'] });
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
    // The values file's placeholders are ignored: no secret value reaches the output at all.
    expect(text).not.toContain('placeholder-db-password');
    for (const pod of pods(manifests)) {
      const container = pod.spec.containers[0]!;
      const refs = (container.env ?? []).filter((e) => e.valueFrom?.secretKeyRef);
      expect(new Set(refs.map((e) => e.valueFrom!.secretKeyRef!.name))).toEqual(new Set(['overture-managed']));
      expect(refs.map((e) => e.name)).toEqual(expect.arrayContaining(SECRET_VARIABLES));
      expect((pod.spec.volumes ?? []).find((v) => v.name === 'secret-files')?.secret?.secretName).toBe('overture-managed');
    }
  });
});

test("approval links in mails point at the console's Ingress, not at an address inside the cluster", () => {
  const { manifests } = render(tools, { files: [PRODUCTION_VALUES] });
  for (const pod of pods(manifests)) {
    expect([pod.name, loadConfig(containerEnv(manifests, pod.spec.containers[0]!)).consoleUrl]).toEqual([
      pod.name,
      'https://overture.example.com',
    ]);
  }
});

describe('NOTES.txt, printed after helm install', () => {
  test('default values: how to reach the console, make the first operator, and the warnings of a one-host setup', () => {
    const notes = renderNotes(tools);
    expect(notes).toContain('kubectl -n overture port-forward svc/overture-console 4000:80');
    expect(notes).toContain('exec deploy/overture-console -- node bin/overture.js operators add NAME --role admin');
    expect(notes).toContain('WARNING: no event sources are configured');
    expect(notes).toContain('were generated into Secret overture-secrets');
    expect(notes).toContain('No store is on PostgreSQL');
  });

  test('production values: the console URL, the build to make current and the build still draining', () => {
    const notes = renderNotes(tools, { files: [PRODUCTION_VALUES] });
    expect(notes).toContain('https://overture.example.com');
    expect(notes).toContain('node bin/overture.js deployment set-current 2026.12.07-4b1e9a2');
    expect(notes).toContain('Build 2026.11.27-3f9c2e1 keeps 2 pods until it drains');
    expect(notes).not.toContain('WARNING');
    expect(notes).not.toContain('No store is on PostgreSQL');
  });
});

describe('mutual TLS to Temporal', () => {
  test('the client key is copied by an init container into a private memory volume, and the objects stay valid', () => {
    const { text, manifests } = render(tools, { sets: ['temporal.tls.existingSecret=temporal-client', 'temporal.tls.mutual=true'] });
    expect(kubeconform(tools, text).code).toBe(0);
    for (const pod of pods(manifests)) {
      expect((pod.spec.initContainers ?? []).map((c) => c.name)).toEqual(['private-key']);
      const env = containerEnv(manifests, pod.spec.containers[0]!);
      expect([env.TEMPORAL_TLS, env.TEMPORAL_TLS_CERT, env.TEMPORAL_TLS_KEY]).toEqual([
        'on',
        '/etc/overture/temporal-tls/tls.crt',
        '/run/overture/tls.key',
      ]);
    }
  });
});

describe('values.schema.json refuses a bad value before anything is rendered', () => {
  test.each([
    ['a negative replica count', 'worker.replicas=-1', "at '/worker/replicas'"],
    ['a Temporal address without a port', 'temporal.address=temporal-frontend', "at '/temporal/address'"],
    ['a build id Temporal would refuse', 'worker.versioning.buildId=release/7', "at '/worker/versioning/buildId'"],
    // (helm's validator names the wrong parent for a refused property name; the name itself is right)
    ['a secret in the ConfigMap', 'config.OVERTURE_CODEC_KEYS=abc', "invalid propertyName 'OVERTURE_CODEC_KEYS'"],
    ['a password in the ConfigMap', 'config.REPORTS_PASSWORD=abc', "invalid propertyName 'REPORTS_PASSWORD'"],
    ['a database URL in the ConfigMap', 'config.REPORTS_DB=postgresql://u:p@db/reports', "at '/config/REPORTS_DB'"],
    ['a store URL that is not PostgreSQL', 'secrets.storeUrls.LEDGER_URL=mysql://db/ledger', "at '/secrets/storeUrls/LEDGER_URL'"],
    ['a root pod', 'podSecurityContext.runAsNonRoot=false', "at '/podSecurityContext/runAsNonRoot'"],
    ['a misspelt key', 'worker.replica=3', "additional properties 'replica' not allowed"],
  ])('%s', (_label, set, expected) => {
    const out = template(tools, { sets: [set] });
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain("values don't meet the specifications of the schema");
    expect(out.stderr).toContain(expected);
  });
});
