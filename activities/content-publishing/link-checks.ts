/**
 * The link check of a draft: every link and image URL, resolved against the page it will be published as,
 * checked at most once and a few at a time, within the link policy.
 */
import type { CheckReport } from '../../workflows/content-publishing/types';
import { shown } from './house-style';
import type { LinkPolicy } from './link-policy';
import { probeLink } from './link-probe';
import { referencesIn } from './markdown';
import { redactUrlsIn } from '../../src/config/redact-url';

export interface LinkCheckSettings {
  policy: LinkPolicy;
  timeoutMs: number;
  /** Most distinct URLs one draft may ask the checker to contact: beyond it the draft fails. */
  maxLinks?: number;
  concurrency?: number;
}

/** Schemes with nothing to fetch (an address, an inline image): nothing to check, and nothing wrong with them. */
const NOT_CHECKED = new Set(['mailto:', 'tel:', 'data:']);

/** Checks every link and image URL of a body; `pageUrl` is where the body will be published (for relative links). */
export async function checkDraftLinks(
  body: string,
  pageUrl: string,
  settings: LinkCheckSettings,
): Promise<CheckReport & { checked: number }> {
  const findings: string[] = [];
  const urls = new Map<string, URL>();
  for (const ref of referencesIn(body)) {
    if (ref.url.startsWith('#')) continue;
    let url: URL;
    try {
      url = new URL(ref.url, pageUrl);
    } catch {
      findings.push(`${ref.kind} ${shown(ref.url)}: not a URL`);
      continue;
    }
    if (NOT_CHECKED.has(url.protocol)) continue;
    url.hash = '';
    urls.set(url.href, url);
  }
  const maxLinks = settings.maxLinks ?? 100;
  if (urls.size > maxLinks) {
    findings.push(`too many links to check: ${urls.size} distinct URLs, at most ${maxLinks}`);
    return { check: 'checkLinks', passed: false, findings, checked: 0 };
  }
  const queue = [...urls.values()];
  const worker = async () => {
    for (let url = queue.shift(); url; url = queue.shift()) {
      const finding = await probeLink(url, settings.policy, settings.timeoutMs);
      // A finding may quote a redirect's Location, credentials and all.
      if (finding) findings.push(`link ${shown(url.href)}: ${redactUrlsIn(finding)}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(settings.concurrency ?? 4, queue.length) }, worker));
  return { check: 'checkLinks', passed: findings.length === 0, findings: findings.sort(), checked: urls.size };
}
