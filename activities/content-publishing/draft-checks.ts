/**
 * Activities of the checks that read only the draft, against the house style: images need alt text, the
 * reading time has a maximum, some words are banned. Short CPU work: they run on the fast path.
 */
import { checkImageAltText, estimateReadingTime, findBannedWords } from './house-style';
import type { CheckReport } from '../../workflows/content-publishing/types';
import { attemptStep, type Faultable } from '../kit/step-attempt';

export interface HouseStyle {
  bannedWords: readonly string[];
  maxReadingMinutes: number;
}

interface DraftText {
  title: string;
  body: string;
}

/** A check's report as a step's output: flat strings, one finding a line. */
export function reportOutput(report: CheckReport): { passed: 'yes' | 'no'; findings: string } {
  return { passed: report.passed ? 'yes' : 'no', findings: report.findings.join('\n') };
}

/** Draft-check activities bound to the house style. */
export function createDraftCheckActivities(style: HouseStyle) {
  return {
    async checkImages(input: Faultable & DraftText) {
      return attemptStep(input.fault, async () => {
        const report = checkImageAltText(input.body);
        return { ...reportOutput(report), images: String(report.images) };
      });
    },

    async readingTime(input: Faultable & DraftText) {
      return attemptStep(input.fault, async () => {
        const report = estimateReadingTime(input.title, input.body, style.maxReadingMinutes);
        return { ...reportOutput(report), minutes: String(report.minutes), words: String(report.words) };
      });
    },

    async checkBannedWords(input: Faultable & DraftText) {
      return attemptStep(input.fault, async () => reportOutput(findBannedWords(input.title, input.body, style.bannedWords)));
    },
  };
}
