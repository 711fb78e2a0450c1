/**
 * Activities of the checks that read only the draft, against the house style: images need alt text, the
 * reading time has a maximum, some words are banned. Short CPU work: they run on the fast path.
 */
import { checkImageAltText, estimateReadingTime, findBannedWords } from './house-style';
import type { CheckReport } from '../../workflows/content-publishing/types';
import { stepActivity } from '../kit/step-attempt';

export interface HouseStyle {
  bannedWords: readonly string[];
  maxReadingMinutes: number;
}

interface DraftText {
  title: string;
  body: string;
}

/** A check's report as a step's output: whether it passed, and one finding a line. */
export function reportOutput(report: CheckReport): { passed: boolean; findings: string } {
  return { passed: report.passed, findings: report.findings.join('\n') };
}

/** Draft-check activities bound to the house style. */
export function createDraftCheckActivities(style: HouseStyle) {
  return {
    checkImages: stepActivity(async (input: DraftText) => {
      const report = checkImageAltText(input.body);
      return { ...reportOutput(report), images: report.images };
    }),

    readingTime: stepActivity(async (input: DraftText) => {
      const report = estimateReadingTime(input.title, input.body, style.maxReadingMinutes);
      return { ...reportOutput(report), minutes: report.minutes, words: report.words };
    }),

    checkBannedWords: stepActivity(async (input: DraftText) => reportOutput(findBannedWords(input.title, input.body, style.bannedWords))),
  };
}
