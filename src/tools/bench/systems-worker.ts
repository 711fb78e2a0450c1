/**
 * The local systems of variant (d), the SMTP and webhook receivers, in a process of their own: they stand in for
 * systems outside Overture, so the bench process's CPU is the client's and the worker's alone, and the receivers'
 * CPU is read from this process. The bench forks it (./systems.ts); it answers over IPC and stops when told to
 * (or when the bench goes).
 */
import { startMailReceiver } from '../dev-stack/mail-receiver';
import { startWebhookReceiver } from '../dev-stack/webhook-receiver';

/** What the bench asks the systems process. */
export type SystemsRequest = { type: 'count' } | { type: 'clear' } | { type: 'stop' };

/** What the systems process answers. */
export type SystemsMessage =
  | { type: 'ready'; smtpUrl: string; webhookUrl: string }
  | { type: 'count'; mails: number; posts: number }
  | { type: 'cleared' }
  | { type: 'failed'; error: string };

async function main(): Promise<void> {
  const send = (message: SystemsMessage) => process.send?.(message);
  const mail = await startMailReceiver();
  const webhooks = await startWebhookReceiver();
  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      await Promise.allSettled([mail.stop(), webhooks.stop()]);
      process.disconnect?.();
    })());
  process.on('message', (request: SystemsRequest) => {
    if (request.type === 'count') send({ type: 'count', mails: mail.messages().length, posts: webhooks.received().length });
    else if (request.type === 'clear') {
      mail.clear();
      webhooks.clear();
      send({ type: 'cleared' });
    } else void shutdown();
  });
  // The bench went away (or closed the channel): receivers left behind would hold their ports.
  process.on('disconnect', () => void shutdown());
  send({ type: 'ready', smtpUrl: mail.url, webhookUrl: webhooks.url });
}

main().catch((err: unknown) => {
  process.send?.({ type: 'failed', error: err instanceof Error ? err.message : String(err) } satisfies SystemsMessage);
  process.exitCode = 1;
});
