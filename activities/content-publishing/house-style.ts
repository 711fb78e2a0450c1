/**
 * The checks that read only the draft: images without alt text, the reading time, banned words.
 * Pure functions; the activities in activities/draft-checks.ts run them with the configured house style.
 */
import { plainText, referencesIn } from './markdown';
import type { CheckReport } from '../../workflows/content-publishing/types';
import { redactUrlsIn } from '../../src/config/redact-url';

/** Words a reader reads a minute: the usual estimate for prose on a screen. */
export const WORDS_PER_MINUTE = 200;

/** Most findings a check reports: the author needs the first ones, and the history stays small. */
const MAX_FINDINGS = 50;

const report = (check: string, findings: string[]): CheckReport => ({
  check,
  passed: findings.length === 0,
  findings:
    findings.length > MAX_FINDINGS ? [...findings.slice(0, MAX_FINDINGS), `... and ${findings.length - MAX_FINDINGS} more`] : findings,
});

/** Shortens a URL for a finding (the author recognises it, the email stays readable), without its credentials. */
export function shown(url: string): string {
  const safe = redactUrlsIn(url);
  return safe.length > 120 ? `${safe.slice(0, 117)}...` : safe;
}

/** Every image needs alt text: readers with screen readers get nothing from an image without it. */
export function checkImageAltText(body: string): CheckReport & { images: number } {
  const images = referencesIn(body).filter((r) => r.kind === 'image');
  const findings = images.filter((i) => !i.alt?.trim()).map((i) => `image ${shown(i.url) || '(no URL)'} has no alt text`);
  return { ...report('checkImages', findings), images: images.length };
}

/** Words in the title and body. */
export function wordCount(title: string, body: string): number {
  return `${title} ${plainText(body)}`.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/** Reading time at {@link WORDS_PER_MINUTE}; informational, a finding only above the maximum. */
export function estimateReadingTime(title: string, body: string, maxMinutes: number): CheckReport & { words: number; minutes: number } {
  const words = wordCount(title, body);
  const minutes = Math.max(1, Math.ceil(words / WORDS_PER_MINUTE));
  const findings = minutes > maxMinutes ? [`reading time ${minutes} min (${words} words) is above the maximum of ${maxMinutes} min`] : [];
  return { ...report('readingTime', findings), words, minutes };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Banned words and phrases, matched whole and case-insensitively in the title and the body. */
export function findBannedWords(title: string, body: string, banned: readonly string[]): CheckReport {
  const text = `${title}\n${body}`;
  const findings: string[] = [];
  for (const word of banned) {
    if (!word.trim()) continue;
    // Letters or digits on either side make it another word ("TODOs" is not "TODO"; "ToDo" is).
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(word.trim())}(?![\\p{L}\\p{N}])`, 'giu');
    const count = text.match(pattern)?.length ?? 0;
    if (count > 0) findings.push(`banned word "${word.trim()}" appears ${count} time(s)`);
  }
  return report('checkBannedWords', findings);
}
