// `npm run temporal:provision`: progress on stderr, the binary's absolute path as the only stdout line,
// so scripts can do `TEMPORAL_BINARY=$(npm run -s temporal:provision)`.
import { resolve } from 'node:path';
import { provisionTemporalBinary } from './temporal-binary';

provisionTemporalBinary({ log: (line) => process.stderr.write(`${line}\n`) }).then(
  (binary) => process.stdout.write(`${resolve(binary)}\n`),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
