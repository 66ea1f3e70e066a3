/**
 * The SES-events Lambda: configuration-set events (EventBridge rule → SQS → this Lambda, in
 * batches) recorded against the campaign recipients, whose items are the `NTF` evidence of what
 * they hold (`functions/ledger/notification-evidence.ts`). Every write is idempotent, so a
 * redelivered batch changes nothing: recipient updates are conditional, and the outcome evidence
 * a recipient item cannot hold restates the event itself (`appendEventEvidence`). An event that is not ours (no campaign tags, an event
 * type we do not track, an unknown campaign) or not JSON is skipped, not retried. The batch is
 * recorded together (batched writes); when that fails, each event is recorded on its own and only
 * the ones that fail again are reported (`ReportBatchItemFailures`), so one store error no longer
 * redelivers the other 99 (a reported one reaches the DLQ after its receive count). The merge
 * across records is why this is not the Powertools batch processor, which handles one record at a time.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { SendKind } from '../campaigns/model.ts';
import { recordSesEvents, type SesEventInput, type SesEventsDeps as RecordDeps } from '../campaigns/record-ses-events.ts';
import { detailKeyOf, isTrackedEvent } from '../campaigns/ses-event-types.ts';
import { systemClock, systemTimers } from '../core/clock.ts';
import { lambdaEnvironment } from '../lambda-env.ts';
import { lazyEntry } from '../lambda-entry.ts';
import { sdkCapture } from '../tracing.ts';
import { campaignIdsOfRecords, withLambdaContext } from '../logging.ts';
import { sesEventsLambda } from '../manifest.ts';
import { SES_TAGS, decodeTagValue } from '../campaigns/ses-tags.ts';

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

export interface SesEventsDeps extends Omit<RecordDeps, 'awaitLiveAttemptsMs'> {
  readonly logger: Logger;
  /**
   * How long an event for a recipient whose attempt is still live waits for that attempt's own
   * `sent` mark before this handler settles it (an event may overtake the mark).
   * @default 3000
   */
  readonly awaitLiveAttemptsMs?: number;
}

/** The SQS records the handler reads (an EventBridge event as each body). */
export interface SesEventsBatch {
  readonly Records: readonly { readonly messageId: string; readonly body: string }[];
}

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

const text = (value: unknown): string | undefined => (typeof value === 'string' && /^[A-Za-z]{1,64}$/.test(value) ? value : undefined);
/** The bounce's type and subtype (`Permanent`/`General` …), kept in the evidence and counted by type. */
const bounceOf = (bounce: unknown): { type: string; subType: string } | undefined => {
  const b = bounce as { bounceType?: unknown; bounceSubType?: unknown } | undefined;
  const type = text(b?.bounceType);
  return type ? { type, subType: text(b?.bounceSubType) ?? 'Undetermined' } : undefined;
};

/** Read one envelope: the event, or why it is skipped. */
const parse = (event: SesEventEnvelope | undefined): SesEventInput | string => {
  const detail = event?.detail;
  const eventType = detail?.eventType ?? '';
  const campaignId = detail && firstTag(detail, SES_TAGS.campaign);
  const accountId = detail && firstTag(detail, SES_TAGS.account);
  const kindTag = detail && firstTag(detail, SES_TAGS.kind);
  const callId = detail && firstTag(detail, SES_TAGS.call);
  const kind: SendKind | undefined = kindTag === 'notice' || kindTag === 'reminder' ? kindTag : undefined;
  const messageId = detail?.mail?.messageId;
  if (!detail || !isTrackedEvent(eventType) || !campaignId || !accountId || !messageId) return 'not a campaign event we track';
  const specific = detail[detailKeyOf(eventType) ?? ''] as { timestamp?: unknown } | undefined;
  const at = instant(specific?.timestamp, detail.mail?.timestamp, event?.time) ?? new Date(0).toISOString();
  // When SES accepted the email: the `sent` instant of a recipient this event settles.
  const sentAt = instant(detail.mail?.timestamp, event?.time) ?? at;
  const bounce = eventType === 'Bounce' ? bounceOf(detail['bounce']) : undefined;
  return { campaignId, accountId, event: eventType, messageId, at, sentAt, ...(kind ? { kind } : {}), ...(bounce ? { bounce } : {}), ...(callId ? { callId } : {}) };
};

export interface SesEventsResponse {
  readonly batchItemFailures: { itemIdentifier: string }[];
  readonly recorded: number;
  readonly skipped: number;
}

/** Build the SES-events handler over its dependencies. */
export const makeHandler = (deps: SesEventsDeps) => async (batch: SesEventsBatch): Promise<SesEventsResponse> => {
  const parsed: { messageId: string; input: SesEventInput }[] = [];
  let skipped = 0;
  for (const record of batch?.Records ?? []) {
    let envelope: SesEventEnvelope | undefined;
    try {
      envelope = JSON.parse(record.body) as SesEventEnvelope;
    } catch {
      envelope = undefined;
    }
    const outcome = parse(envelope);
    if (typeof outcome === 'string') {
      skipped++;
      deps.logger.debug('SES event skipped', { reason: outcome, eventType: envelope?.detail?.eventType });
    } else {
      parsed.push({ messageId: record.messageId, input: outcome });
    }
  }
  if (parsed.length === 0) return { batchItemFailures: [], recorded: 0, skipped };
  const recordDeps = { ...deps, awaitLiveAttemptsMs: deps.awaitLiveAttemptsMs ?? 3000 };
  let unknown = 0;
  let changedCount = 0;
  const batchItemFailures: { itemIdentifier: string }[] = [];
  try {
    const { changed, ignored } = await recordSesEvents(recordDeps, parsed.map((entry) => entry.input));
    unknown = ignored.filter(Boolean).length;
    changedCount = changed.filter(Boolean).length;
  } catch (error) {
    deps.logger.warn('SES events batch failed; recording each event on its own', { error: (error as Error)?.name, events: parsed.length });
    const outcomes = await Promise.allSettled(parsed.map((entry) => recordSesEvents(recordDeps, [entry.input])));
    outcomes.forEach((outcome, index) => {
      if (outcome.status === 'rejected') batchItemFailures.push({ itemIdentifier: parsed[index]!.messageId });
      else {
        unknown += outcome.value.ignored.filter(Boolean).length;
        changedCount += outcome.value.changed.filter(Boolean).length;
      }
    });
    if (batchItemFailures.length > 0) deps.logger.warn('SES events left for redelivery', { failed: batchItemFailures.length });
  }
  if (unknown > 0) deps.logger.debug('SES events skipped', { reason: 'unknown campaign', count: unknown });
  const recorded = parsed.length - unknown - batchItemFailures.length;
  deps.logger.info('SES events recorded', { recorded, changed: changedCount, skipped: skipped + unknown, failed: batchItemFailures.length });
  return { batchItemFailures, recorded, skipped: skipped + unknown };
};

/** Dependencies from the Lambda environment: `TABLE_NAME`, the `AUTO_PAUSE_*` thresholds; the client is built once per container. */
export const defaultDeps = async (): Promise<SesEventsDeps> => {
  const {
    TABLE_NAME: tableName,
    AUTO_PAUSE_BOUNCE_RATIO: bounceRatio,
    AUTO_PAUSE_COMPLAINT_RATIO: complaintRatio,
    AUTO_PAUSE_MIN_SENT: minSent,
  } = lambdaEnvironment(sesEventsLambda);
  const [{ createDocumentClient, DynamoDbAcceptanceStore }, { DynamoDbCampaignStore }, { DynamoDbRecipientStore }, { PowertoolsCampaignMetrics }] = await Promise.all([
    import('../ledger/dynamodb-store.ts'),
    import('../campaigns/dynamodb/campaign-store.ts'),
    import('../campaigns/dynamodb/recipient-store.ts'),
    import('../campaigns/powertools-metrics.ts'),
  ]);
  const client = (await sdkCapture())(createDocumentClient());
  const metrics = new PowertoolsCampaignMetrics();
  const campaigns = new DynamoDbCampaignStore({ tableName, client, metrics });
  return {
    campaigns,
    reputation: { store: campaigns, clock: systemClock, metrics, thresholds: { bounceRatio, complaintRatio, minSent }, log: (message, fields) => logger.warn(message, fields ?? {}) },
    recipients: new DynamoDbRecipientStore({ tableName, client, timers: systemTimers }),
    ledger: new DynamoDbAcceptanceStore({ tableName, client, timers: systemTimers }),
    clock: systemClock,
    timers: systemTimers,
    logger,
  };
};

/** The Lambda's logger: its service name is `POWERTOOLS_SERVICE_NAME` from the template. */
const logger = new Logger();

/** The Lambda entry (SQS event source with `ReportBatchItemFailures`: only the failed events are redelivered). */
/** An SES event's campaign, from its configuration-set tags. */
const campaignTagOf = (body: Record<string, unknown>): string | undefined => {
  const detail = body['detail'] as SesEventDetail | undefined;
  return detail ? firstTag(detail, SES_TAGS.campaign) : undefined;
};

export const handler = withLambdaContext(logger, lazyEntry(defaultDeps, makeHandler), campaignIdsOfRecords(campaignTagOf));
