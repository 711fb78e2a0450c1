/**
 * `/act`: where an approval link from an email lands. The link is the credential, so no sign-in is needed.
 * `GET /act?t=TOKEN` checks the link without using it (mail scanners fetch links before people click them) and
 * shows what it will do; `POST /act` (the page's Confirm button) checks it again, claims it once, and sends the
 * decision as the link's approver. Refused: a forged or altered link (403), an expired one (410), a used one
 * (409, with who used it and when), and a decision the run refuses (409, with its reason). Refused links count
 * against the caller's address like wrong sign-in tokens (429 when locked). Tokens are never logged.
 */
import type http from 'node:http';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { answerQuestion, decisionIdFor, getRunStatus } from '../../client';
import type { OvertureConfig } from '../../config/platform';
import { loadLinkKey, verifyLink, type ApprovalLink, type LinkUse } from '../../approval-links';
import type { UsedLinkRecords } from '../../stores/approval-links/used-links';
import { checkAnswerForm, DECISION_LIMITS } from '../../../workflows/kit/limits';
import type { DecisionIdentity, QuestionAnswer } from '../../../workflows/kit/types';
import { readBody, send } from './http-helpers';
import { escapeHtml } from './login-page';
import { createSignInLimiter } from './sign-in-limiter';

export interface ApprovalLinkRoutes {
  /** Answers `GET` or `POST /act`. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void>;
  close(): Promise<void>;
}

interface Page {
  status: number;
  title: string;
  /** HTML, already escaped. */
  body: string;
  headers?: Record<string, string>;
}

const h = (text: string) => escapeHtml(text);

/** How a link's decision says where it came from, in its reason. */
const FROM_LINK = 'from the email link';

function sendPage(res: http.ServerResponse, page: Page): void {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Overture: ${h(page.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<link rel="stylesheet" href="/style.css"></head>
<body class="login"><main data-testid="act-page">
<h1>${h(page.title)}</h1>
${page.body}
</main></body></html>`;
  send(res, page.status, html, 'text/html; charset=utf-8', page.headers ?? {});
}

const refusal = (status: number, title: string, message: string, headers?: Record<string, string>): Page => ({
  status,
  title,
  body: `<p class="error" data-testid="act-message">${h(message)}</p>`,
  headers,
});

const notValid = () =>
  refusal(403, 'Not a valid link', 'This is not a valid link. Open the run in the console, or use the command in the email.');
const expired = (link: ApprovalLink) =>
  refusal(
    410,
    'Link expired',
    `This link expired at ${new Date(link.expiresAt).toISOString()}. Decide in the console, or with the command in the email.`,
  );
const used = (use: LinkUse) =>
  refusal(
    409,
    'Link already used',
    `This link was already used, by ${use.approver} at ${use.usedAt}${use.outcome ? `: ${use.outcome}` : ''}. It is not applied again.`,
  );

/** Finds the operators registered with an address (the operator store's `byEmail`). */
export type OperatorsByEmail = (
  email: string,
) => ReadonlyArray<{ name: string; disabled: boolean }> | Promise<ReadonlyArray<{ name: string; disabled: boolean }>>;

/**
 * The identity an email link's decision carries: the address the email went to, as an approver. When that
 * address belongs to exactly one registered operator, the decision is recorded under the operator's name, so
 * the run's log names a person as everywhere else rather than showing their address to every viewer.
 */
export async function linkIdentity(link: ApprovalLink, operatorsByEmail?: OperatorsByEmail): Promise<DecisionIdentity> {
  const registered = ((await operatorsByEmail?.(link.approver)) ?? []).filter((o) => !o.disabled);
  const operator = registered.length === 1 ? registered[0]!.name : link.approver;
  return { operator, email: link.approver, role: 'approver', via: 'email-link' };
}

/**
 * The `/act` routes, with the link key and the used-links store (this console's data directory's, or the one every
 * host shares: APPROVAL_LINKS_URL), which the routes close.
 */
export function createApprovalLinkRoutes(opts: {
  client: Client;
  config: OvertureConfig;
  log: (line: string) => void;
  usedLinks: UsedLinkRecords;
  operatorsByEmail?: OperatorsByEmail;
}): ApprovalLinkRoutes {
  const { client, config, log, operatorsByEmail, usedLinks: store } = opts;
  const key = loadLinkKey(config.approvalLinkKeyFile);
  const limiter = createSignInLimiter(
    { perAddress: config.CONSOLE_SIGNIN_FAILURES_PER_MINUTE, global: config.CONSOLE_SIGNIN_GLOBAL_FAILURES_PER_MINUTE },
    log,
    undefined,
    { one: 'an approval link', many: 'approval links', failure: 'refused link', failures: 'refused links' },
  );

  /** The link in the token, or the page that refuses it. */
  const check = (token: string, address: string, method: string): { link: ApprovalLink } | { page: Page } => {
    const result = verifyLink(key, token);
    if (!result.ok) {
      // A forged link counts wherever it comes; an expired one only when confirmed (scanners fetch old mail too).
      if (result.problem === 'invalid') limiter.failed(address, undefined, 'not a valid link');
      else if (method === 'POST') limiter.failed(address, undefined, 'expired link');
      return { page: result.problem === 'invalid' ? notValid() : expired(result.link) };
    }
    return { link: result.link };
  };

  const confirmation = async (link: ApprovalLink, token: string): Promise<Page> => {
    let prompt = '(the run could not be asked just now)';
    try {
      const status = await getRunStatus(client, link.workflowId, 5_000);
      const question = status.questions.find((q) => q.id === link.question);
      if (!question) prompt = '(this question is no longer in the run)';
      else if (!question.open) {
        const d = question.decision;
        return refusal(
          409,
          'Already decided',
          `This question was already answered${d ? `: ${d.action} by ${d.by} at ${d.at}` : ''}. Nothing more to do.`,
        );
      } else prompt = question.prompt;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return refusal(409, 'Run not found', `Run ${link.workflowId} is not there any more.`);
      // Otherwise the confirmation can still go ahead: the run itself checks the decision.
    }
    return {
      status: 200,
      title: 'Confirm your decision',
      body: `<dl data-testid="act-details">
<dt>Run</dt><dd data-testid="act-run">${h(link.workflowId)}</dd>
<dt>Question</dt><dd data-testid="act-prompt">${h(prompt)}</dd>
<dt>Decision</dt><dd data-testid="act-decision">${h(link.decision)}</dd>
<dt>Recorded as</dt><dd data-testid="act-approver">${h((await linkIdentity(link, operatorsByEmail)).operator)}</dd>
</dl>
<form method="post" action="/act" data-testid="act-form">
<input type="hidden" name="t" value="${h(token)}">
<label>Reason (optional) <input type="text" name="reason" maxlength="${DECISION_LIMITS.reasonChars - FROM_LINK.length - 3}" autocomplete="off" data-testid="act-reason"></label>
<button type="submit" data-testid="act-confirm">Confirm: ${h(link.decision)}</button>
</form>
<p class="hint">Nothing happens until you confirm. The link works once.</p>`,
    };
  };

  const apply = async (link: ApprovalLink, reason: string): Promise<Page> => {
    const identity = await linkIdentity(link, operatorsByEmail);
    const answer: QuestionAnswer = {
      question: link.question,
      decision: link.decision,
      by: identity.operator,
      reason: reason ? `${reason} (${FROM_LINK})` : FROM_LINK,
      decisionId: decisionIdFor({ id: link.question }, link.decision),
      identity,
    };
    // A reason the run would refuse for its form is refused before the link is used, so it can be sent again.
    try {
      checkAnswerForm(answer);
    } catch (err) {
      return refusal(
        400,
        'Check the reason',
        `${err instanceof Error ? err.message : String(err)}. Go back, correct it and confirm again.`,
      );
    }
    const claim = await store.claim(link);
    if (!claim.claimed) return used(claim.use);
    const where = `${link.workflowId} ${link.question}`;
    try {
      const receipt = await answerQuestion(client, link.workflowId, answer);
      await store.settle(link.nonce, receipt.message);
      log(`approval link for ${where}: ${link.decision} ${receipt.applied ? 'applied' : 'already applied'}`);
      if (!receipt.applied) return refusal(409, 'Already decided', receipt.message);
      return { status: 200, title: 'Decision recorded', body: `<p data-testid="act-message">${h(`Recorded: ${receipt.message}.`)}</p>` };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError) {
        const message =
          err instanceof WorkflowNotFoundError ? `run ${link.workflowId} has ended or is not there` : (err.cause?.message ?? err.message);
        await store.settle(link.nonce, `refused: ${message}`);
        log(`approval link for ${where}: ${link.decision} refused by the run`);
        return refusal(409, 'Decision refused', `The run refused this decision: ${message}`);
      }
      // The decision never reached the run: the link stays usable.
      await store.release(link.nonce);
      log(`approval link for ${where}: could not reach Temporal: ${err instanceof Error ? err.message : String(err)}`);
      return refusal(503, 'Try again', 'The decision could not be sent just now; the link was not used. Try again in a moment.', {
        'Retry-After': '5',
      });
    }
  };

  return {
    async handle(req, res, url) {
      const method = req.method ?? 'GET';
      if (method !== 'GET' && method !== 'POST')
        return sendPage(res, refusal(405, 'Not allowed', 'Open the link from the email.', { Allow: 'GET, POST' }));
      const address = req.socket.remoteAddress ?? 'unknown';
      const wait = limiter.retryAfter(address);
      if (wait !== undefined)
        return sendPage(
          res,
          refusal(429, 'Too many refused links', `Too many refused links from your address: try again in ${wait} s.`, {
            'Retry-After': String(wait),
          }),
        );
      const form = method === 'POST' ? new URLSearchParams(await readBody(req)) : url.searchParams;
      const token = form.get('t') ?? '';
      const checked = check(token, address, method);
      if ('page' in checked) return sendPage(res, checked.page);
      const { link } = checked;
      const earlier = await store.find(link.nonce);
      if (earlier) {
        // A scanner's prefetch of a used link is not a guess; a second POST is.
        if (method === 'POST') limiter.failed(address, undefined, 'link already used');
        return sendPage(res, used(earlier));
      }
      return sendPage(res, method === 'GET' ? await confirmation(link, token) : await apply(link, (form.get('reason') ?? '').trim()));
    },
    async close() {
      await store.close();
    },
  };
}
