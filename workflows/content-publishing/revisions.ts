/**
 * The bounds of a draft, and reading a revised draft out of an event. The event gateway validates events
 * against the registry's schema, but a signal can also be sent directly: the run takes only a well-formed
 * draft of its own content, and only a revision newer than the one it has.
 */
import type { ProcessEvent } from '../kit';
import { CHANNELS, type Channel, type Draft } from './types';

/** Bounds of every draft field; the registry's schema enforces the same. */
export const DRAFT_LIMITS = {
  titleChars: 200,
  bodyBytes: 100 * 1024,
  nameChars: 200,
  emailChars: 254,
  maxRevision: 10_000,
};

/** A content id: a lowercase slug, the page's file name and part of the workflow id. */
export const CONTENT_ID = /^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$/;

const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.trim().length > 0 && v.length <= max;

function channelsOf(value: unknown): Channel[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const channels = CHANNELS.filter((c) => value.includes(c));
  return channels.length === value.length ? channels : undefined;
}

/** The event's draft when it is a newer revision of the run's content; undefined for anything else. */
export function newerRevision(event: ProcessEvent, current: Draft): Draft | undefined {
  const data = event.data;
  const revision = data.revision;
  if (data.contentId !== current.contentId) return undefined;
  if (typeof revision !== 'number' || !Number.isInteger(revision) || revision <= current.revision || revision > DRAFT_LIMITS.maxRevision)
    return undefined;
  const author = data.author as { name?: unknown; email?: unknown } | undefined;
  const channels = channelsOf(data.channels);
  // Characters, not bytes: the sandbox has no byte count at hand, and the gateway's schema already checked bytes.
  if (!isText(data.title, DRAFT_LIMITS.titleChars) || typeof data.body !== 'string' || data.body.length > DRAFT_LIMITS.bodyBytes)
    return undefined;
  if (!isText(author?.name, DRAFT_LIMITS.nameChars) || !isText(author?.email, DRAFT_LIMITS.emailChars) || !channels) return undefined;
  if (typeof data.publishAt !== 'string' || Number.isNaN(Date.parse(data.publishAt))) return undefined;
  return {
    contentId: current.contentId,
    revision,
    title: data.title,
    body: data.body,
    author: { name: author.name, email: author.email },
    channels,
    publishAt: data.publishAt,
  };
}
