/** Listening on a port, as every server of the stack does. */
import type { Server } from 'node:net';

/** Starts `server` listening on host:port (0: any free port); rejects with the listen error (e.g. EADDRINUSE). */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
