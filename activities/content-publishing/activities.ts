/**
 * Every activity of content publishing, bound to its systems: the house style, the web (link checks), the
 * site, SMTP (newsletter and author) and the social webhook. One file per system; this one joins them.
 */
import { createDraftCheckActivities, type HouseStyle } from './draft-checks';
import { createLinkCheckerActivities, type LinkCheckerDependencies } from './link-checker';
import { createPublishingMailActivities, type PublishingMailDependencies } from './publishing-mail';
import { createSiteActivities } from './site';
import { createSocialActivities, type SocialDependencies } from './social';
import type { SiteStore } from './site-store';

export interface PublishingDependencies {
  style: HouseStyle;
  links: LinkCheckerDependencies;
  site: SiteStore;
  mail: PublishingMailDependencies;
  social: SocialDependencies;
}

/** The content-publishing activities, bound to the given systems. */
export function createPublishingActivities(deps: PublishingDependencies) {
  return {
    ...createDraftCheckActivities(deps.style),
    ...createLinkCheckerActivities(deps.links),
    ...createSiteActivities(deps.site),
    ...createPublishingMailActivities(deps.mail),
    ...createSocialActivities(deps.social),
  };
}

export type PublishingActivities = ReturnType<typeof createPublishingActivities>;
