// `npm run test-server:provision`: resolves the time-skipping test server once (progress on stderr), so that the
// fast test tier starts without waiting for Maven.
import { provisionTestServer } from './time-skipping-server';

provisionTestServer({ log: (line) => process.stderr.write(`${line}\n`) }).then(
  ({ java }) => process.stdout.write(`test server ready (run with ${java})\n`),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
