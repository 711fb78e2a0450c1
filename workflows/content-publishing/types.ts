/**
 * Types of the content-publishing process, shared by its workflow, its activities and its clients. Pure types only.
 */
import type { ProcessOptions } from '../kit/types';

/** Where a piece of content can be published. */
export type Channel = 'site' | 'newsletter' | 'social';

export const CHANNELS: readonly Channel[] = ['site', 'newsletter', 'social'];

/** A draft, as the `draft.submitted` and `draft.revised` events carry it. The author is personal data. */
export interface Draft {
  /** A slug: the page's name and part of the workflow id. */
  contentId: string;
  /** Counts up with each revision: a run takes only a revision newer than the one it has. */
  revision: number;
  title: string;
  /** Markdown, untrusted: rendered with every raw HTML escaped. */
  body: string;
  author: { name: string; email: string };
  channels: Channel[];
  /** When to publish, ISO 8601 with a zone; a time past means as soon as the editor approves. */
  publishAt: string;
}

/** The run's options: the kit's, plus who reviews and how long an author has to revise. */
export interface ContentPublishingOptions extends ProcessOptions {
  editorEmail: string;
  /** How long a run waits for a revised draft before asking the editor whether to keep waiting. */
  revisionWaitMs: number;
}

export interface ContentPublishingInput {
  /** The first draft (the event that started the run carries the same revision, and is not taken as a revision). */
  draft: Draft;
  options: ContentPublishingOptions;
}

/** What an automated check found: passed or not, and one line per finding. */
export interface CheckReport {
  check: string;
  passed: boolean;
  findings: string[];
}

export interface ContentPublishingResult {
  state: 'completed';
  contentId: string;
  revision: number;
  publishedAt: string;
  channels: Channel[];
  pageUrl?: string;
  /** How many subscribers the newsletter reached. */
  newsletterRecipients?: number;
  skippedSteps: string[];
}
