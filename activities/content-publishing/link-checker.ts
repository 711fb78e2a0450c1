/**
 * The activity that checks a draft's links on the web: HTTP HEAD to allow-listed hosts only, never to a
 * private or local address (except the stack's own site), with a timeout. A regular activity: it waits on
 * the network, and the run must stay able to take decisions meanwhile.
 */
import { checkDraftLinks, type LinkCheckSettings } from './link-checks';
import { reportOutput } from './draft-checks';
import { stepActivity } from '../kit/step-attempt';

export interface LinkCheckerDependencies extends LinkCheckSettings {
  /** The site's base URL: relative links resolve against the page the draft becomes. */
  siteUrl: string;
}

/** The link-check activity, bound to the link policy. */
export function createLinkCheckerActivities(deps: LinkCheckerDependencies) {
  return {
    checkLinks: stepActivity(async (input: { contentId: string; body: string }) => {
      const report = await checkDraftLinks(input.body, `${deps.siteUrl}/${input.contentId}.html`, deps);
      return { ...reportOutput(report), checked: report.checked };
    }),
  };
}
