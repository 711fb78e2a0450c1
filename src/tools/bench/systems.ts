/** The bench's side of ./systems-worker.ts: forks the local systems' process and talks to it. */
import { fork } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SystemsMessage, SystemsRequest } from './systems-worker';

/** The SMTP and webhook receivers, running in a process of their own. */
export interface LocalSystems {
  pid: number;
  smtpUrl: string;
  webhookUrl: string;
  /** Mails and webhook posts received since the last `clear`. */
  count(): Promise<{ mails: number; posts: number }>;
  clear(): Promise<void>;
  stop(): Promise<void>;
}

/** Forks the receivers' process and resolves once both listen. */
export async function startLocalSystems(): Promise<LocalSystems> {
  // fork() passes this process's execArgv on, so the child runs TypeScript through tsx like the bench.
  const child = fork(path.join(__dirname, 'systems-worker.ts'), [], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  child.stdout?.pipe(process.stderr); // stdout is the bench's results
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = <T extends SystemsMessage['type']>(type: T) =>
    new Promise<Extract<SystemsMessage, { type: T }>>((resolve, reject) => {
      const onMessage = (message: SystemsMessage) => {
        if (message.type === 'failed') reject(new Error(`the local systems' process failed: ${message.error}`));
        else if (message.type !== type) return;
        else resolve(message as Extract<SystemsMessage, { type: T }>);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const onExit = (code: number | null) => reject(new Error(`the local systems' process exited with code ${code}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ask = <T extends SystemsMessage['type']>(request: SystemsRequest, answer: T) => {
    const reply = next(answer);
    child.send(request);
    return reply;
  };
  const ready = await next('ready');
  return {
    pid: child.pid ?? -1,
    smtpUrl: ready.smtpUrl,
    webhookUrl: ready.webhookUrl,
    count: async () => {
      const { mails, posts } = await ask({ type: 'count' }, 'count');
      return { mails, posts };
    },
    clear: async () => {
      await ask({ type: 'clear' }, 'cleared');
    },
    stop: async () => {
      if (child.connected) child.send({ type: 'stop' } satisfies SystemsRequest);
      await Promise.race([exited, sleep(10_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
