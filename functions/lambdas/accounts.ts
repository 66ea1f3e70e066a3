/**
 * The accounts Lambda: acceptances, evidence history, status and contact of one account.
 * Every route authorises the principal for the path's account before anything is parsed, validates
 * with the shared zod schemas, calls one ledger use case and maps its result.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { systemClock, type Clock } from '../core/clock.ts';
import { authorizeAccount } from '../core/authorization.ts';
import type { HttpEvent, HttpHandler } from '../http/middleware.ts';
import { parseWith } from '../http/parse.ts';
import { principalFromEvent } from '../http/principal.ts';
import { requestSource } from '../http/request-source.ts';
import { InvalidInputError } from '../core/errors.ts';
import { jsonResponse, noContent } from '../http/responses.ts';
import { jsonBody } from '../http/json-body.ts';
import { httpRouter } from '../http/router.ts';
import { originVerifier, type OriginVerifier } from '../http/origin-verify.ts';
import {
  acceptanceRequestSchema,
  accountPathSchema,
  contactRequestSchema,
  evidenceQuerySchema,
  historyQuerySchema,
  statusPathSchema,
} from '../http/schemas/accounts.ts';
import { accountStatus } from '../ledger/account-status.ts';
import { eraseContact, setContact } from '../ledger/contact.ts';
import { accountEvidence } from '../ledger/account-evidence.ts';
import { DynamoDbAcceptanceStore, createDocumentClient } from '../ledger/dynamodb-store.ts';
import { lambdaEnvironment } from '../lambda-env.ts';
import { lazyEntry } from '../lambda-entry.ts';
import { sdkCapture } from '../tracing.ts';
import { accountsLambda } from '../manifest.ts';
import type { PublishedContent } from '../ledger/published-variants.ts';
import { recordAcceptance } from '../ledger/record-acceptance.ts';
import type { AcceptanceStore } from '../ledger/store.ts';

export interface AccountsDeps {
  readonly store: AcceptanceStore;
  readonly content: PublishedContent;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * After an acceptance or a contact was written: note the account for the campaigns that now affect
   * it (`noteAffected` in campaigns/late-enrolment.ts), so the scheduler enrols it. @default none (tests)
   */
  readonly noteAffected?: (accountId: string, noticeIds: readonly string[], at: string) => Promise<unknown>;
  /** Refuses public-API requests that bypassed CloudFront (`ORIGIN_VERIFY_VALUES`). @default none: off */
  readonly originVerifier?: OriginVerifier;
}

const DEFAULT_PAGE_SIZE = 25;

/** The route's hook: the principal must have rights on the path's account (read raw, before validation). */
const authorizePathAccount = (event: HttpEvent): void => authorizeAccount(principalFromEvent(event), event.pathParameters?.['accountId'] ?? '');

const accountIdOf = (event: HttpEvent): string => parseWith(accountPathSchema, event.pathParameters ?? {}, 'path').accountId;

/** Build the accounts handler over its dependencies. */
export const makeHandler = (deps: AccountsDeps): HttpHandler => {
  const { logger } = deps;

  const postAcceptance: HttpHandler = async (event) => {
    const accountId = accountIdOf(event);
    const body = parseWith(acceptanceRequestSchema, event.body, 'body');
    const principal = principalFromEvent(event);
    if (body.acceptedAt !== undefined && principal.kind !== 'service' && principal.kind !== 'admin') {
      throw new InvalidInputError('acceptedAt (import) is for service and admin principals only', [{ path: 'acceptedAt', message: 'not allowed for this principal' }]);
    }
    // An end user's own request is the evidence of where it came from; a service's request is not the customer's.
    const fromRequest = principal.kind === 'user' ? requestSource(event) : {};
    const source = { ...fromRequest, ...body.source, channel: body.source?.channel ?? 'api' };
    const outcome = await recordAcceptance(deps, { accountId, ...body, source });
    // Also on a repeated acceptance (200): a client retrying after a crash here gets its marker.
    await deps.noteAffected?.(accountId, [outcome.record.noticeId], deps.clock.now().toISOString());
    logger.info('acceptance recorded', {
      noticeId: outcome.record.noticeId,
      version: outcome.record.version,
      region: outcome.record.region,
      created: outcome.created,
      imported: outcome.record.imported === true,
      contactUpdated: body.email !== undefined,
    });
    return jsonResponse(outcome.created ? 201 : 200, outcome.record);
  };

  const getAcceptances: HttpHandler = async (event) => {
    const accountId = accountIdOf(event);
    const query = parseWith(historyQuerySchema, event.queryStringParameters ?? {}, 'query');
    const page = await deps.store.listEvidence(accountId, {
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      ...(query.cursor ? { cursor: query.cursor } : {}),
      ...(query.noticeId ? { noticeId: query.noticeId } : {}),
      ...(query.kind ? { kind: query.kind } : {}),
    });
    return jsonResponse(200, page);
  };

  const getEvidence: HttpHandler = async (event) => {
    const accountId = accountIdOf(event);
    const { noticeId } = parseWith(evidenceQuerySchema, event.queryStringParameters ?? {}, 'query');
    const items = await accountEvidence(deps.store, accountId, noticeId);
    return jsonResponse(200, { accountId, ...(noticeId ? { noticeId } : {}), items });
  };

  const getStatus: HttpHandler = async (event) => {
    accountIdOf(event);
    const { accountId, noticeId } = parseWith(statusPathSchema, event.pathParameters ?? {}, 'path');
    return jsonResponse(200, await accountStatus(deps, accountId, noticeId));
  };

  const putContact: HttpHandler = async (event) => {
    const accountId = accountIdOf(event);
    const { email } = parseWith(contactRequestSchema, event.body, 'body');
    const set = await setContact(deps, accountId, email);
    if (set) await deps.noteAffected?.(accountId, deps.content.notices.map((notice) => notice.noticeId), deps.clock.now().toISOString());
    logger.info('contact set', { set });
    return noContent();
  };

  const deleteContact: HttpHandler = async (event) => {
    const accountId = accountIdOf(event);
    await eraseContact(deps, accountId);
    logger.info('contact erased');
    return noContent();
  };

  const authorize = authorizePathAccount;
  return httpRouter(
    accountsLambda,
    {
      'POST /v1/accounts/{accountId}/acceptances': { handler: postAcceptance, authorize, body: jsonBody },
      'GET /v1/accounts/{accountId}/acceptances': { handler: getAcceptances, authorize },
      'GET /v1/accounts/{accountId}/evidence': { handler: getEvidence, authorize },
      'GET /v1/accounts/{accountId}/notices/{noticeId}/status': { handler: getStatus, authorize },
      'PUT /v1/accounts/{accountId}/contact': { handler: putContact, authorize, body: jsonBody },
      'DELETE /v1/accounts/{accountId}/contact': { handler: deleteContact, authorize },
    },
    {
      // The class name only: an SDK or runtime error message can carry request data.
      logger,
      ...(deps.originVerifier ? { originVerifier: deps.originVerifier } : {}),
    },
  );
};

/** Dependencies from the Lambda environment: `TABLE_NAME`, `ORIGIN_VERIFY_VALUES`; the SDK client is built once per container. */
export const defaultDeps = async (): Promise<AccountsDeps> => {
  const { TABLE_NAME: tableName, ORIGIN_VERIFY_VALUES: originValues } = lambdaEnvironment(accountsLambda);
  const [{ publishedContent }, { contentIndex }, { DynamoDbCampaignStore }, { DynamoDbLateMarkerStore }, { noteAffected }] = await Promise.all([
    import('../ledger/published-content.ts'),
    import('../content/index-artifact.ts'),
    import('../campaigns/dynamodb/campaign-store.ts'),
    import('../campaigns/dynamodb/late-store.ts'),
    import('../campaigns/late-enrolment.ts'),
  ]);
  const store = new DynamoDbAcceptanceStore({ tableName, client: (await sdkCapture())(createDocumentClient()) });
  const late = { content: contentIndex, campaigns: new DynamoDbCampaignStore({ tableName, client: store.client }), late: new DynamoDbLateMarkerStore({ tableName, client: store.client }), ledger: store };
  return {
    store,
    noteAffected: (accountId, noticeIds, at) => noteAffected(late, accountId, noticeIds, at),
    content: publishedContent,
    clock: systemClock,
    logger: new Logger(),
    originVerifier: originVerifier(originValues),
  };
};

/** The Lambda entry: dependencies are built on the first invocation of a container and kept. */
export const handler = lazyEntry(defaultDeps, makeHandler);
