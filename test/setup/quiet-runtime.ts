/** Keeps the Temporal runtime to errors: expected activity failures (injected faults) would drown the test output. */
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // Already installed in this worker process by an earlier test file.
}
