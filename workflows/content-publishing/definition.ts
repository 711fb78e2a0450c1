/** Content publishing in the registry: its input (a draft), workflow id, step policies, options, events and example. */
import { z } from 'zod';
import { defineProcess, type EventRoute } from '../kit/definition';
import { emailAddress, identityText, safeText } from '../kit/input';
import type { StepPolicy } from '../kit/types';
import type { PublishingSettings } from '../../activities/content-publishing/settings';
import { CONTENT_ID, DRAFT_LIMITS } from './revisions';
import { CONTENT_PUBLISHING } from './shape';
import { CHANNELS, type Channel, type ContentPublishingOptions, type Draft } from './types';

const HOUR_MS = 3_600_000;

/** Checks of the draft alone are CPU work of milliseconds: the fast path. */
const quickStep: StepPolicy = {
  startToCloseTimeoutMs: 30_000,
  initialIntervalMs: 1_000,
  backoffCoefficient: 2,
  maximumIntervalMs: 30_000,
  maximumAttempts: 5,
  runAs: 'local',
};

/**
 * Retry policies of the steps. The link check waits on other servers (5 s a link, four at a time), and the
 * newsletter on one SMTP message per subscriber: regular activities, so the run can take decisions meanwhile.
 */
const policies = {
  checkLinks: {
    ...quickStep,
    startToCloseTimeoutMs: 180_000,
    initialIntervalMs: 5_000,
    maximumIntervalMs: 60_000,
    maximumAttempts: 3,
    runAs: 'activity',
  },
  checkImages: quickStep,
  readingTime: quickStep,
  checkBannedWords: quickStep,
  emailAuthor: { ...quickStep, startToCloseTimeoutMs: 60_000, initialIntervalMs: 2_000, maximumIntervalMs: 60_000, maximumAttempts: 6 },
  publishToSite: quickStep,
  // Heartbeats per subscriber and every second of a send: a lost worker is noticed in 30 s, not 10 min.
  sendNewsletter: {
    ...quickStep,
    startToCloseTimeoutMs: 600_000,
    heartbeatTimeoutMs: 30_000,
    initialIntervalMs: 2_000,
    maximumIntervalMs: 60_000,
    maximumAttempts: 6,
    runAs: 'activity',
  },
  postToSocial: { ...quickStep, initialIntervalMs: 2_000, maximumIntervalMs: 60_000, maximumAttempts: 4 },
} satisfies Record<string, StepPolicy>;

/** UTF-8 bytes of a text, without Node's Buffer (definitions stay free of Node builtins). */
const bytes = (text: string) => new TextEncoder().encode(text).length;

/** A draft, as the process input and both draft events carry it. Messages name fields, never values. */
export const draftSchema = z
  .object({
    contentId: z
      .string({ error: 'is required' })
      .regex(CONTENT_ID, 'must be a lowercase slug of 1-80 letters, digits and "-" (it becomes part of the workflow ID)'),
    revision: z.number().int().min(1).max(DRAFT_LIMITS.maxRevision).default(1),
    title: safeText({ max: DRAFT_LIMITS.titleChars }),
    // Markdown: line breaks and tabs are its own; any other control or direction character is refused.
    body: safeText({ max: DRAFT_LIMITS.bodyBytes, min: 0, multiline: true }).refine(
      (b) => bytes(b) <= DRAFT_LIMITS.bodyBytes,
      `must be at most ${DRAFT_LIMITS.bodyBytes / 1024} KB`,
    ),
    author: z
      .object({
        name: identityText({ max: DRAFT_LIMITS.nameChars }),
        email: emailAddress().max(DRAFT_LIMITS.emailChars),
      })
      .strict(),
    channels: z
      .array(z.enum(CHANNELS as [Channel, ...Channel[]], { error: `each channel must be one of ${CHANNELS.join(', ')}` }))
      .min(1, 'choose at least one channel')
      .refine((list) => new Set(list).size === list.length, 'must not repeat a channel'),
    publishAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time with a zone, e.g. 2026-12-01T09:00:00Z' }),
  })
  .strict();

/** The workflow ID of a content item's publication: its slug only, never the author. */
export function contentWorkflowId(contentId: string): string {
  return `content-${contentId}`;
}

/** Both draft events correlate on the content id; either starts the run when none is open, carrying its draft. */
const draftRoute = (type: string, description: string): EventRoute<Draft, Draft> => ({
  type,
  description,
  schema: draftSchema,
  workflowId: (draft) => contentWorkflowId(draft.contentId),
  startInput: (draft) => draft,
});

export const contentPublishingDefinition = defineProcess<typeof CONTENT_PUBLISHING, Draft, PublishingSettings>({
  shape: CONTENT_PUBLISHING,
  workflowType: 'contentPublishing',
  inputSchema: draftSchema,
  workflowId: (draft) => contentWorkflowId(draft.contentId),
  subject: (draft) => draft.contentId,
  policies,
  stepSystems: { emailAuthor: 'email', sendNewsletter: 'email' },
  // Who reviews, and how long an author has to revise.
  options: (kit, settings): ContentPublishingOptions => ({
    ...kit,
    editorEmail: settings.EDITOR_EMAIL,
    revisionWaitMs: settings.REVISION_WAIT_HOURS * HOUR_MS,
  }),
  workflowArgs: (draft, options) => [{ draft, options }],
  describe: (draft) => ({
    summary: `Publication of ${draft.contentId} (revision ${draft.revision}) to ${draft.channels.join(', ')}`,
    details: `Process: content-publishing\nContent: ${draft.contentId}\nRevision: ${draft.revision}\nChannels: ${draft.channels.join(', ')}\nPublish at: ${draft.publishAt}`,
  }),
  example: 'examples/content-publishing.json',
  events: [
    draftRoute('draft.submitted', 'a new draft: starts its publication (content-<contentId>)'),
    draftRoute('draft.revised', 'a revised draft (a higher revision): the open publication checks it again'),
  ],
});

/** Content publishing, as the registry reads it. */
export const definitions = [contentPublishingDefinition];
