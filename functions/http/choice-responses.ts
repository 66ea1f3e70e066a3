/**
 * The choices Lambda's answers: the pages (choice, confirmation, error) as HTML with the pages'
 * security headers, the same facts as JSON for API clients, and the one mapping of an error to the
 * page a browser sees. API clients that ask for JSON get problem+json from the stack instead.
 */
import { pageSecurityHeaders, renderErrorPage, type RenderedPage } from '../campaigns/choice-pages.ts';
import { ChoiceClosedError, ChoiceLimitError } from '../campaigns/choices.ts';
import type { CampaignReader } from '../campaigns/ports.ts';
import type { AcceptanceStore } from '../ledger/store.ts';
import { browserLanguages, CrossSiteRequestError, wantsJson } from './choice-request.ts';
import type { HttpEvent, HttpResult } from './middleware.ts';
import type { Problem } from './problem.ts';
import { htmlResponse, jsonResponse } from './responses.ts';

/** A choice page: it varies by `Accept` (HTML or JSON) and `Accept-Language`. */
export const choicePageResponse = (statusCode: number, page: RenderedPage): HttpResult =>
  htmlResponse(statusCode, page, { Vary: 'Accept, Accept-Language', ...pageSecurityHeaders() });

/** The JSON a client that asked for it gets instead of a page. */
export const choiceJsonResponse = (statusCode: number, body: unknown): HttpResult => jsonResponse(statusCode, body, { Vary: 'Accept', ...pageSecurityHeaders() });

/** What the error pages read to show a closed choice's recorded option. */
export interface ChoiceErrorDeps {
  readonly campaigns: CampaignReader;
  readonly ledger: Pick<AcceptanceStore, 'getState'>;
}

/** Past the deadline the link is authentic but closed: say so in the recipient's language, with what was recorded. */
const closedChoicePage = async (deps: ChoiceErrorDeps, error: ChoiceClosedError, event: HttpEvent): Promise<RenderedPage> => {
  const campaign = await deps.campaigns.getCampaign(error.claims.campaignId);
  const state = campaign ? await deps.ledger.getState(error.claims.accountId, campaign.noticeId) : undefined;
  const recorded = state?.choice?.campaignId === error.claims.campaignId ? state.choice : undefined;
  return renderErrorPage(410, state ? [state.language, ...browserLanguages(event)] : browserLanguages(event), recorded, error.reason);
};

/** The stack's `errorResponse` for the choices Lambda: an error page for browsers, `undefined` (problem+json) for JSON clients. */
export const choiceErrorResponse =
  (deps: ChoiceErrorDeps) =>
  async (error: unknown, problem: Problem, event: HttpEvent): Promise<HttpResult | undefined> => {
    if (wantsJson(event)) return undefined;
    if (error instanceof ChoiceClosedError) return choicePageResponse(problem.status, await closedChoicePage(deps, error, event));
    const reason = error instanceof ChoiceLimitError ? 'too-many-changes' : error instanceof CrossSiteRequestError ? 'cross-site' : undefined;
    return choicePageResponse(problem.status, renderErrorPage(problem.status, browserLanguages(event), undefined, reason));
  };
