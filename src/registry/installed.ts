/**
 * The processes this installation runs, one name a line: each is its two folders, `workflows/<name>/` and
 * `activities/<name>/` (see docs/writing-a-process.md). `npx overture new process NAME` adds its line here.
 */
export const INSTALLED_PROCESSES: readonly string[] = [
  'onboarding',
  'financial-close',
  'content-publishing',
  'data-pipeline',
  'customer-onboarding',
];
