/**
 * The SES-events Lambda: configuration-set events (through an EventBridge rule) recorded against
 * the campaign recipient and as `NTF` evidence. Both writes are idempotent, so a redelivered
 * event changes nothing. An event that is not ours (no campaign tags, an event type we do not
 * track) is skipped, not retried; a store error is thrown so EventBridge retries.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { SendKind } from '../campaigns/messages.ts';
import { CampaignStore } from '../campaigns/store.ts';
import type { NotificationEvidence } from '../ledger/types.ts';

/** The parts of an SES event (EventBridge `detail`) we read. */
export interface SesEventDetail {
  readonly eventType?: string;
  readonly mail?: { readonly messageId?: string; readonly timestamp?: string; readonly tags?: Record<string, readonly string[] | undefined> };
  readonly [eventSpecific: string]: unknown;
}

export interface SesEventEnvelope {
  readonly time?: string;
  readonly detail?: SesEventDetail;
}

export interface SesEventsDeps {
  readonly campaigns: Pick<CampaignStore, 'getCampaign' | 'recordSesEvent'>;
  readonly ledger: { appendEvidence(accountId: string, noticeId: string, evidence: NotificationEvidence): Promise<boolean> };
  readonly logger: Logger;
}

/**
 * The sender's tag encoding (`encodeTagValue` in functions/campaigns/messages.ts), read here
 * without importing that module: it carries the zod schemas of the queue messages, which would
 * more than double this Lambda. test/handler/ses-events.test.ts encodes with the sender's function.
 */
const SES_TAGS = { campaign: 'campaign', account: 'account', kind: 'kind' } as const;
const ENCODED_TAG_PREFIX = 'b64-';
const decodeTagValue = (value: string): string =>
  value.startsWith(ENCODED_TAG_PREFIX) ? Buffer.from(value.slice(ENCODED_TAG_PREFIX.length), 'base64url').toString('utf8') : value;

/** SES `eventType` → the evidence event; types absent here (Open, Click, DeliveryDelay …) are not recorded. */
const EVIDENCE_EVENT: Record<string, NotificationEvidence['event']> = {
  Send: 'sent',
  Delivery: 'delivered',
  Bounce: 'bounced',
  Complaint: 'complained',
  Reject: 'failed',
  'Rendering Failure': 'failed',
  RenderingFailure: 'failed',
};

/** The block of event-specific detail (`delivery`, `bounce` …) that carries the event's own timestamp. */
const DETAIL_KEY: Record<string, string> = {
  Delivery: 'delivery',
  Bounce: 'bounce',
  Complaint: 'complaint',
  Reject: 'reject',
  'Rendering Failure': 'failure',
  RenderingFailure: 'failure',
};

const firstTag = (detail: SesEventDetail, name: string): string | undefined => {
  const value = detail.mail?.tags?.[name]?.[0];
  return typeof value === 'string' && value.length > 0 ? decodeTagValue(value) : undefined;
};

const instant = (...candidates: unknown[]): string | undefined => {
  for (const candidate of candidates) {
    if (typeof candidate === 'string' && !Number.isNaN(Date.parse(candidate))) return new Date(candidate).toISOString();
  }
  return undefined;
};

/** Build the SES-events handler over its dependencies. */
export const makeHandler = (deps: SesEventsDeps) => async (event: SesEventEnvelope): Promise<{ recorded: boolean }> => {
  const detail = event?.detail;
  const eventType = detail?.eventType ?? '';
  const evidenceEvent = EVIDENCE_EVENT[eventType];
  const campaignId = detail && firstTag(detail, SES_TAGS.campaign);
  const accountId = detail && firstTag(detail, SES_TAGS.account);
  const kindTag = detail && firstTag(detail, SES_TAGS.kind);
  const kind: SendKind | undefined = kindTag === 'notice' || kindTag === 'reminder' ? kindTag : undefined;
  const messageId = detail?.mail?.messageId;
  if (!evidenceEvent || !campaignId || !accountId || !messageId) {
    deps.logger.debug('SES event skipped', { eventType });
    return { recorded: false };
  }
  const specific = detail[DETAIL_KEY[eventType] ?? ''] as { timestamp?: unknown } | undefined;
  const at = instant(specific?.timestamp, detail.mail?.timestamp, event.time) ?? new Date(0).toISOString();

  const campaign = await deps.campaigns.getCampaign(campaignId);
  if (!campaign) {
    deps.logger.warn('SES event for an unknown campaign', { eventType, campaignId });
    return { recorded: false };
  }
  const changed = await deps.campaigns.recordSesEvent(campaignId, accountId, eventType, messageId, at, kind);
  await deps.ledger.appendEvidence(accountId, campaign.noticeId, {
    kind: 'notification',
    event: evidenceEvent,
    campaignId,
    messageId,
    version: campaign.version,
    channel: 'email',
    at,
  });
  deps.logger.info('SES event recorded', { eventType, campaignId, changed });
  return { recorded: true };
};

/** Dependencies from the Lambda environment: `TABLE_NAME`; the client is built once per container. */
export const defaultDeps = async (): Promise<SesEventsDeps> => {
  const tableName = process.env['TABLE_NAME'];
  if (!tableName) throw new Error('TABLE_NAME is not set');
  const { createDocumentClient, DynamoDbAcceptanceStore } = await import('../ledger/dynamodb-store.ts');
  const client = createDocumentClient();
  return {
    campaigns: new CampaignStore({ tableName, client }),
    ledger: new DynamoDbAcceptanceStore({ tableName, client }),
    logger: new Logger({ serviceName: 'ses-events' }),
  };
};

let defaultHandler: Promise<ReturnType<typeof makeHandler>> | undefined;

/** The Lambda entry (EventBridge target). */
export const handler = async (event: SesEventEnvelope): Promise<{ recorded: boolean }> => {
  defaultHandler ??= defaultDeps().then(makeHandler);
  return (await defaultHandler)(event);
};
