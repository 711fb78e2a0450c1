// `npm run cluster:provision`: builds the Temporal server and SQL tool into the cache if they are not there yet.
// Progress on stderr; the cache directory as the only stdout line.
import { provisionServerBinaries } from './server-binaries';

provisionServerBinaries({ log: (line) => process.stderr.write(`${line}\n`) }).then(
  (binaries) => process.stdout.write(`${binaries.dir}\n`),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
