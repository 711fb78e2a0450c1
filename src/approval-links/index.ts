/**
 * Approve from the email: signed, expiring, single-use links in approval requests and process questions. The
 * worker signs them (./notice-links), the console confirms and applies them (src/apps/console/approval-links.ts).
 */
import type { OvertureConfig } from '../config/platform';
import { loadLinkKey } from './key';
import { createNoticeLinks, type NoticeLinkMaker } from './notice-links';

export { loadLinkKey } from './key';
export { createNoticeLinks, type NoticeLinkMaker } from './notice-links';
export { linkExpiry, signLink, verifyLink, newNonce, type ApprovalLink, type LinkCheck } from './token';
export { UsedLinks, type LinkUse } from '../stores/approval-links/used-links';

/** The worker's link maker: its key file, its own console and APPROVAL_LINK_TTL_HOURS. */
export function noticeLinksFor(config: OvertureConfig): NoticeLinkMaker {
  return createNoticeLinks({
    key: loadLinkKey(config.approvalLinkKeyFile),
    consoleUrl: config.consoleUrl,
    ttlHours: config.APPROVAL_LINK_TTL_HOURS,
  });
}
