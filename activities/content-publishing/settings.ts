/**
 * Content publishing's own settings: the site, the link checker's allow-list, the editor, the newsletter's
 * subscribers, the social webhook and the house style.
 */
import path from 'node:path';
import { z } from 'zod';
import { defineSettings } from '../kit/settings';

const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    );

/** A `host` or `host:port` entry of the link checker's allow-list, as `new URL` reads it. */
const hostEntry = z.string().refine((entry) => {
  try {
    const url = new URL(`http://${entry}`);
    return url.host.length > 0 && url.pathname === '/' && !url.username && !url.password && !url.search;
  } catch {
    return false;
  }
}, 'each entry must be host or host:port, e.g. 127.0.0.1:4090');

/** The variables of content publishing. */
const VARIABLES = {
  SITE_DIR: z.string().optional(),
  SITE_PORT: z.coerce.number().int().min(0).max(65_535).default(4090),
  SITE_URL: z.string().url().optional(),
  LINK_CHECK_ALLOWED_HOSTS: list('').pipe(z.array(hostEntry)),
  LINK_CHECK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  EDITOR_EMAIL: z.email({ error: 'must be an email address' }).default('editor@overture.local'),
  NEWSLETTER_SUBSCRIBERS: list('reader.one@overture.local,reader.two@overture.local').pipe(
    z.array(z.email({ error: 'each subscriber must be an email address' })).max(10_000, 'at most 10000 subscribers'),
  ),
  SOCIAL_WEBHOOK_URL: z.string().url().optional(),
  BANNED_WORDS: list('lorem ipsum,TODO,TBD').pipe(z.array(z.string().max(100)).max(500)),
  MAX_READING_MINUTES: z.coerce.number().positive().default(20),
  REVISION_WAIT_HOURS: z.coerce.number().positive().default(168),
};

/** The settings, with the site's paths and URLs resolved; by default the link checker may reach the stack's own site only. */
export const settings = defineSettings(VARIABLES, (raw, config) => {
  const siteUrl = (raw.SITE_URL ?? `http://127.0.0.1:${raw.SITE_PORT}`).replace(/\/+$/, '');
  const allowed = raw.LINK_CHECK_ALLOWED_HOSTS.length ? raw.LINK_CHECK_ALLOWED_HOSTS : [new URL(siteUrl).host];
  return {
    ...raw,
    /** Where the site's pages, feed and feed index are written (and served from); on several hosts, a shared volume. */
    siteDir: path.resolve(raw.SITE_DIR ?? path.join(config.OVERTURE_DATA_DIR, 'site')),
    /** The site's own origin and base of page links, e.g. http://127.0.0.1:4090. */
    siteUrl,
    /** The per-host SQLite feed index of earlier versions, copied once into the index beside the pages. */
    siteDbPath: path.join(config.OVERTURE_DATA_DIR, 'site.db'),
    /** `host:port` (or `host`, for the scheme's default port) entries the link checker may contact. */
    linkCheckAllowedHosts: allowed.map((h) => h.toLowerCase()),
    // A hosted team webhook (NOTIFY_WEBHOOK_URL) doubles as the social channel unless one of its own is set.
    socialWebhookUrl: raw.SOCIAL_WEBHOOK_URL ?? config.NOTIFY_WEBHOOK_URL ?? `http://127.0.0.1:${config.LOCAL_WEBHOOK_PORT}/hooks/social`,
  };
});

export type PublishingSettings = ReturnType<typeof settings.of>;
