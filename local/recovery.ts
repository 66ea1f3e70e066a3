/**
 * What the local platform does at start on a `DATA_DIR`, before any worker runs: re-drive every
 * started campaign after a crash.
 *
 * 1. Unfinished plan cursors continue: a planner message per (region, shard) not done (the
 *    planner resumes from its checkpoint; a page planned twice is harmless).
 * 2. Recipients in flight (`sending`, and not accepted in their attempt's call item) are reconciled against what the local SES endpoint
 *    accepted (its journal, by the `campaign`/`account`/`kind` tags the sender sets): accepted
 *    ones are settled `sent` with their evidence through the deployed reconciliation path
 *    (`recordSesEvents`, as a `Send` event would); the others were never taken by SES and are
 *    released, so the redelivered send message claims them at once. The process that held their
 *    leases is gone, so nothing waits out a lease or the in-doubt grace.
 * 3. Counters are recounted from the recipient items (`reconcileCounters`).
 */
import { type DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDbCampaignStore } from '../functions/campaigns/dynamodb/campaign-store.ts';
import { recipientPk } from '../functions/campaigns/dynamodb/keys.ts';
import type { DynamoDbRecipientStore } from '../functions/campaigns/dynamodb/recipient-store.ts';
import { reconcileCounters } from '../functions/campaigns/dynamodb/recount.ts';
import type { PlannerMessage } from '../functions/campaigns/messages.ts';
import type { Campaign, SendKind } from '../functions/campaigns/model.ts';
import { type SesEventInput, type SesEventsDeps, recordSesEvents } from '../functions/campaigns/record-ses-events.ts';
import { SES_TAGS, decodeTagValue } from '../functions/campaigns/ses-tags.ts';
import type { Queue } from '../functions/campaigns/queue.ts';
import { AUDIENCE_SHARDS } from '../functions/ledger/types.ts';
import { withSendFacts } from '../functions/ledger/send-facts.ts';
import type { AcceptedMail } from './ses/journal.ts';

export interface RecoveryDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly store: DynamoDbCampaignStore;
  readonly recipients: DynamoDbRecipientStore;
  readonly plannerQueue: Queue<PlannerMessage>;
  /** The SES-events use case's dependencies (the settle path). */
  readonly sesEvents: Omit<SesEventsDeps, 'awaitLiveAttemptsMs'>;
  readonly accepted: readonly AcceptedMail[];
  readonly now: () => Date;
}

export interface RecoveryReport {
  readonly campaigns: number;
  readonly plansResumed: number;
  readonly settled: number;
  readonly released: number;
  /** Counter corrections written (the sum of their absolute values). */
  readonly countersCorrected: number;
}

const KINDS: readonly SendKind[] = ['notice', 'reminder'];
const STATUS_FIELD: Record<SendKind, string> = { notice: 'status', reminder: 'reminderStatus' };
const ATTEMPT_FIELD: Record<SendKind, string> = { notice: 'attempt', reminder: 'reminderAttempt' };

const campaigns = async (deps: RecoveryDeps): Promise<Campaign[]> => {
  const found: Campaign[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await deps.client.send(
      new ScanCommand({
        TableName: deps.tableName,
        FilterExpression: 'sk = :meta AND begins_with(pk, :cmp)',
        ExpressionAttributeValues: { ':meta': 'META', ':cmp': 'CMP#' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const { pk: _pk, sk: _sk, ...campaign } = item;
      found.push(campaign as Campaign);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
};

const inFlight = async (deps: RecoveryDeps, campaignId: string): Promise<{ accountId: string; kind: SendKind; attemptId: string }[]> => {
  const found: { accountId: string; kind: SendKind; attemptId: string }[] = [];
  for (let shard = 0; shard < AUDIENCE_SHARDS; shard++) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await deps.client.send(
        new QueryCommand({
          TableName: deps.tableName,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: '#status = :sending OR reminderStatus = :sending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pk': recipientPk(campaignId, shard), ':sending': 'sending' },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      // Through the send facts: a recipient its call's item says SES accepted is sent, not in flight.
      for (const item of await withSendFacts(deps, page.Items ?? [])) {
        const accountId = String(item['accountId'] ?? String(item['sk']).replace(/^ACCT#/, ''));
        for (const kind of KINDS) {
          if (item[STATUS_FIELD[kind]] === 'sending') found.push({ accountId, kind, attemptId: String(item[ATTEMPT_FIELD[kind]]) });
        }
      }
      start = page.LastEvaluatedKey;
    } while (start);
  }
  return found;
};

const tag = (mail: AcceptedMail, name: string): string | undefined => {
  const value = mail.tags.find((t) => t.Name === name)?.Value;
  return value === undefined ? undefined : decodeTagValue(value);
};

/** Re-drive every started campaign; see the module comment. */
export const recoverCampaigns = async (deps: RecoveryDeps): Promise<RecoveryReport> => {
  const acceptedBy = new Map<string, AcceptedMail>();
  for (const mail of deps.accepted) acceptedBy.set(`${tag(mail, SES_TAGS.campaign)}|${tag(mail, SES_TAGS.account)}|${tag(mail, SES_TAGS.kind)}`, mail);
  let plansResumed = 0;
  let settled = 0;
  let released = 0;
  let countersCorrected = 0;
  const all = await campaigns(deps);
  for (const campaign of all) {
    const { campaignId } = campaign;
    // 1. Plans. A campaign left `created` (killed between create and start) is started as a retried POST would.
    const messages: PlannerMessage[] = [];
    for (const { region } of campaign.regions) {
      for (let shard = 0; shard < AUDIENCE_SHARDS; shard++) {
        if (!(await deps.store.getPlan(campaignId, region, shard)).done) messages.push({ campaignId, region, shard });
      }
    }
    await deps.plannerQueue.send(messages);
    if (campaign.status === 'created') await deps.store.markStarted(campaignId, deps.now().toISOString());
    plansResumed += messages.length;

    // 2. In-flight recipients.
    const sends: SesEventInput[] = [];
    for (const recipient of await inFlight(deps, campaignId)) {
      const mail = acceptedBy.get(`${campaignId}|${recipient.accountId}|${recipient.kind}`);
      if (mail) {
        sends.push({ campaignId, accountId: recipient.accountId, kind: recipient.kind, event: 'Send', messageId: mail.messageId, at: mail.at });
      } else {
        await deps.recipients.releaseRecipient(campaignId, recipient.accountId, recipient.kind, recipient.attemptId);
        released++;
      }
    }
    if (sends.length > 0) settled += (await recordSesEvents({ ...deps.sesEvents, awaitLiveAttemptsMs: 0 }, sends)).changed.filter(Boolean).length;

    // 3. Counters.
    const fix = await reconcileCounters(deps.recipients, campaign);
    countersCorrected += Object.values(fix).reduce((sum, value) => sum + Math.abs(value), 0);
  }
  return { campaigns: all.length, plansResumed, settled, released, countersCorrected };
};
