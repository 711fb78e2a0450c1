/**
 * Content publishing's worker part: its activities against the site (whose store it opens here), the web (link
 * checks within the allow-list), the mail and chat the worker shares, and the social webhook; and, on one machine,
 * the local server of the published pages and feed.
 */
import { startSiteServer } from '../../src/tools/dev-stack/site-server';
import { defineWorker } from '../kit/process-worker';
import { createPublishingActivities } from './activities';
import { settings } from './settings';
import { SiteStore } from './site-store';
import { redactUrl } from '../../src/config/redact-url';

export const worker = defineWorker({
  async connect(systems) {
    const publishing = settings.of(systems.config);
    // SITE_DIR: on several hosts a volume they all mount, so every host publishes into the one site (site-pages.ts).
    const site = new SiteStore(publishing.siteDir, publishing.siteDbPath, publishing.siteUrl);
    await site.ready();
    const activities = createPublishingActivities({
      style: { bannedWords: publishing.BANNED_WORDS, maxReadingMinutes: publishing.MAX_READING_MINUTES },
      links: {
        siteUrl: publishing.siteUrl,
        policy: { allowedHosts: publishing.linkCheckAllowedHosts, siteOrigin: publishing.siteUrl },
        timeoutMs: publishing.LINK_CHECK_TIMEOUT_MS,
      },
      site,
      mail: { ...systems.mail, subscribers: publishing.NEWSLETTER_SUBSCRIBERS, siteUrl: publishing.siteUrl },
      social: { webhookUrl: publishing.socialWebhookUrl, ledger: systems.ledger, siteUrl: publishing.siteUrl },
    });
    return { activities, close: () => site.close() };
  },

  // The published pages and feed: served here unless SITE_URL says another server serves SITE_DIR.
  localServices(config) {
    const publishing = settings.of(config);
    return [
      {
        name: 'site server',
        runs: !publishing.SITE_URL,
        port: { port: publishing.SITE_PORT, variable: 'SITE_PORT' },
        start: (log) => startSiteServer({ port: publishing.SITE_PORT, dir: publishing.siteDir, log }),
        summary: (localUrl) => [
          'Site',
          localUrl
            ? `${localUrl}/feed.xml, pages from ${publishing.siteDir}`
            : `${redactUrl(publishing.siteUrl)} (SITE_URL), pages written to ${publishing.siteDir}`,
        ],
      },
    ];
  },
});
