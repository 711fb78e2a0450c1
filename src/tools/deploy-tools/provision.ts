// `npm run deploy-tools:provision`: builds the deployment checkers the e2e tier runs (each cached by version, reused
// when present) one after another, so two Go builds never share the machine's cores. Progress on stderr; one
// `name: path` line per tool on stdout. Add a tool by adding its provisioner to the list.
import { provisionComposePlugin } from './compose-plugin';
import { provisionPromtool } from './promtool';
import { provisionHelm } from './helm';
import { provisionKubeconform } from './kubeconform';
import { provisionKubernetesSchemas } from './kubeconform-schemas';

type Log = (line: string) => void;

/** A tool to provision: its name and how to get it; resolves with where it is. */
interface Provisioner {
  name: string;
  provision: (log: Log) => Promise<string>;
}

const PROVISIONERS: Provisioner[] = [
  { name: 'docker compose', provision: async (log) => (await provisionComposePlugin({ log })).binary },
  { name: 'helm', provision: (log) => provisionHelm({ log }) },
  { name: 'kubeconform', provision: (log) => provisionKubeconform({ log }) },
  { name: 'kubernetes schemas', provision: (log) => provisionKubernetesSchemas({ log }) },
  { name: 'promtool', provision: (log) => provisionPromtool({ log }) },
];

async function main(): Promise<void> {
  const log: Log = (line) => process.stderr.write(`${line}\n`);
  for (const { name, provision } of PROVISIONERS) {
    const started = Date.now();
    const where = await provision(log);
    log(`${name}: ready (${Math.round((Date.now() - started) / 1000)} s)`);
    process.stdout.write(`${name}: ${where}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
