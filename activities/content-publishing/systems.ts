/**
 * Content publishing's systems, built from configuration for the worker: the site store, the link policy,
 * the house style, and the SMTP transport and delivery ledger it shares with the other processes.
 */
import type { Transporter } from 'nodemailer';
import { createPublishingActivities } from './';
import type { OvertureConfig } from '../../src/config';
import type { DeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';
import type { SystemGuard } from '../kit/system-guard';
import { SiteStore } from './site-store';

/** The publishing activities against the configured site, web, mail and social webhook; `close` releases the site store. */
export function connectPublishingSystems(config: OvertureConfig, shared: { transport: Transporter; ledger: DeliveryLedger; guard?: SystemGuard }) {
  const site = new SiteStore(config.siteDir, config.siteDbPath, config.siteUrl);
  const activities = createPublishingActivities({
    style: { bannedWords: config.BANNED_WORDS, maxReadingMinutes: config.MAX_READING_MINUTES },
    links: {
      siteUrl: config.siteUrl,
      policy: { allowedHosts: config.linkCheckAllowedHosts, siteOrigin: config.siteUrl },
      timeoutMs: config.LINK_CHECK_TIMEOUT_MS,
    },
    site,
    mail: { transport: shared.transport, from: config.MAIL_FROM, ledger: shared.ledger, subscribers: config.NEWSLETTER_SUBSCRIBERS, siteUrl: config.siteUrl, guard: shared.guard },
    social: { webhookUrl: config.socialWebhookUrl, ledger: shared.ledger, siteUrl: config.siteUrl },
  });
  return { site, activities, close: () => site.close() };
}
