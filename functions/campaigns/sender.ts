/**
 * The sender: consumes send messages (SQS, `ReportBatchItemFailures`) and emails each recipient
 * exactly once.
 *
 * Per recipient: a conditional claim on its recipient item (`sending`, the invocation's attempt
 * id, a lease) → contact (BatchGet) → token links → per SES call (≤ 50, the quota reserved first)
 * one write on the attempt's marker naming the recipients handed to SES → `SendBulkEmail` →
 * `NTF sent` evidence → state `notified` → `sent` mark → one counter ADD per call. Retryable
 * failures (429, 5xx, throttled/transient entries) are retried with jittered exponential backoff,
 * then released and reported so SQS redelivers; rejections and missing contacts are recorded
 * `failed`, never retried.
 *
 * Crash safety, and its trade-off: a crash after SES accepted but before the `sent` mark leaves
 * the recipient `sending`. A redelivery never sends it while its lease is live, nor during the
 * in-doubt grace after the lease expired: in that time the SES `Send` event (recorded by the
 * SES-events handler through `CampaignStore.recordSesEvents`) marks it `sent`. Only when the grace
 * passes with no event is it sent again. A longer grace makes a duplicate less likely (an event
 * delayed beyond it) but delays recovery of a recipient whose attempt crashed while SES answered.
 * An attempt that crashed before handing a recipient to SES (not on its marker) is taken over as
 * soon as its lease expires, and entries SES refused come off the marker at once: only truly
 * in-doubt recipients wait. SES is called only while a third of the lease is left, so a live
 * attempt never sends a recipient another attempt has taken over.
 *
 * Counters (`CNT#`) are ADDed after the conditional transition that earns them, so redeliveries and
 * duplicate SES events never count twice; a crash in the instant between the two writes can leave
 * one chunk under-counted (no transactions). Recipient items and evidence stay the truth.
 */
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { ContentIndex } from '../core/content.ts';
import { optionLinks } from '../core/choice-options.ts';
import { escapeHtml } from '../core/html.ts';
import type { Clock } from '../core/clock.ts';
import type { EvidenceRecord } from '../ledger/types.ts';
import { RetryableSendError } from './errors.ts';
import { MAX_RECIPIENTS_PER_SEND, SES_TAGS, type SendKind, type SendMessage, encodeTagValue, sendMessageSchema } from './messages.ts';
import type { FaultHook } from './planner.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { BulkDestination, BulkMailer, BulkTemplate, EntryOutcome } from './ses-mailer.ts';
import type { Campaign, CampaignStore, Counters } from './store.ts';

export type EmailKind = 'choice' | 'reminder' | 'informational';

/** The email renderer (`functions/campaigns/email.ts`). */
export type RenderCampaignEmail = (input: {
  content: ContentIndex;
  noticeId: string;
  version: number;
  region: string;
  language: string;
  kind: EmailKind;
  deadline: string;
  publicBaseUrl: string;
}) => BulkTemplate;

/** What the sender needs of the ledger. */
export interface SenderLedger {
  getContacts(accountIds: readonly string[]): Promise<Map<string, string>>;
  appendEvidence(accountId: string, noticeId: string, evidence: EvidenceRecord): Promise<unknown>;
}

export interface RetryPolicy {
  /** SES calls per chunk before the recipients are handed back to SQS. @default 6 */
  readonly attempts: number;
  /** @default 200 */
  readonly baseMs: number;
  /** @default 5000 */
  readonly maxMs: number;
}

export interface SenderDeps {
  readonly store: CampaignStore;
  readonly ledger: SenderLedger;
  readonly mailer: BulkMailer;
  readonly rateLimiter: RateLimiter;
  readonly content: ContentIndex;
  readonly renderEmail: RenderCampaignEmail;
  /** Signs a choice token (`functions/core/tokens.ts` with the key from the `TokenKeyProvider`). */
  readonly signChoiceToken: (claims: { campaignId: string; accountId: string; expiresAt: string }) => Promise<string>;
  readonly publicBaseUrl: string;
  readonly clock: Clock;
  /** How long a claim is exclusive; longer than one invocation can run. @default 15 minutes */
  readonly leaseMs?: number;
  /** After a lease expired, how long to wait for the SES `Send` event before sending again. @default 15 minutes */
  readonly inDoubtGraceMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Concurrent DynamoDB writes per invocation. @default 16 */
  readonly concurrency?: number;
  /** Concurrent SES calls per invocation. @default 2 */
  readonly sesConcurrency?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly newAttemptId?: () => string;
  readonly fault?: FaultHook;
  /** Structured log sink; never receives an address or a token. @default none */
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** An SQS record as the sender needs it. */
export interface SendRecord {
  readonly messageId: string;
  readonly body: string;
}

export interface SendBatchResult {
  readonly batchItemFailures: { itemIdentifier: string }[];
}

interface Recipient {
  readonly campaign: Campaign;
  readonly kind: SendKind;
  readonly accountId: string;
  readonly region: string;
  language: string;
  readonly records: Set<string>;
  readonly attemptId: string;
  email?: string;
  /** Epoch ms until which our claim is exclusive. */
  leaseUntil?: number;
  /** This attempt recorded that it is calling SES. */
  submitted?: boolean;
}

const DEFAULT_LEASE_MS = 15 * 60_000;
const DEFAULT_IN_DOUBT_GRACE_MS = 15 * 60_000;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Full-jitter exponential backoff (AWS architecture blog): uniform in [0, min(max, base·2^attempt)]. */
export const backoffMs = (attempt: number, policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>, random: () => number): number =>
  Math.floor(random() * Math.min(policy.maxMs, policy.baseMs * 2 ** attempt));

/** Process one SQS batch of send messages. */
export const sendBatch = async (deps: SenderDeps, records: readonly SendRecord[]): Promise<SendBatchResult> => {
  const fault = deps.fault ?? (() => {});
  const log = deps.log ?? (() => {});
  const limit = pLimit(deps.concurrency ?? 16);
  const retry: RetryPolicy = { attempts: 6, baseMs: 200, maxMs: 5000, ...deps.retry };
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;
  const newAttemptId = deps.newAttemptId ?? randomUUID;
  // One attempt id per invocation: its marker item records which recipients it handed to SES.
  const attemptId = newAttemptId();
  const failed = new Set<string>();
  const failRecipient = (recipient: Recipient) => recipient.records.forEach((id) => failed.add(id));

  // 1. Parse, and merge the messages of this batch per campaign, kind and account.
  const recipients = new Map<string, Recipient>();
  for (const record of records) {
    let message: SendMessage;
    try {
      message = sendMessageSchema.parse(JSON.parse(record.body));
    } catch {
      log('send message rejected: malformed', { messageId: record.messageId });
      failed.add(record.messageId);
      continue;
    }
    const campaign = await deps.store.getCampaign(message.campaignId);
    if (!campaign) {
      log('send message for an unknown campaign', { campaignId: message.campaignId });
      failed.add(record.messageId);
      continue;
    }
    const notice = deps.content.notices.find((n) => n.noticeId === campaign.noticeId);
    for (const accountId of message.accountIds) {
      const key = `${message.campaignId}|${message.kind}|${accountId}`;
      const existing = recipients.get(key);
      if (existing) {
        existing.records.add(record.messageId);
        continue;
      }
      recipients.set(key, {
        campaign,
        kind: message.kind,
        accountId,
        region: message.region,
        language: message.language ?? notice?.defaultLanguage ?? 'en',
        records: new Set([record.messageId]),
        attemptId,
      });
    }
  }

  // 2. Claim.
  const claimed: Recipient[] = [];
  await Promise.all(
    [...recipients.values()].map((recipient) =>
      limit(async () => {
        const now = deps.clock.now().getTime();
        const outcome = await deps.store.claimRecipient({
          campaignId: recipient.campaign.campaignId,
          accountId: recipient.accountId,
          kind: recipient.kind,
          attemptId: recipient.attemptId,
          region: recipient.region,
          language: recipient.language,
          now,
          leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS,
          inDoubtGraceMs: deps.inDoubtGraceMs ?? DEFAULT_IN_DOUBT_GRACE_MS,
        });
        if (outcome.kind === 'claimed') {
          if (outcome.language) recipient.language = outcome.language;
          recipient.leaseUntil = now + (deps.leaseMs ?? DEFAULT_LEASE_MS);
          claimed.push(recipient);
        } else if (outcome.kind === 'busy') {
          failRecipient(recipient); // in flight elsewhere or in doubt: look again on redelivery
        }
      }),
    ),
  );
  fault('sender:after-claim');

  // 3. Contacts; no contact is a permanent failure for this campaign.
  const contacts = claimed.length > 0 ? await deps.ledger.getContacts([...new Set(claimed.map((r) => r.accountId))]) : new Map<string, string>();
  const sendable: Recipient[] = [];
  const noContact: Recipient[] = [];
  for (const recipient of claimed) {
    const email = contacts.get(recipient.accountId);
    if (email) {
      recipient.email = email;
      sendable.push(recipient);
    } else {
      noContact.push(recipient);
    }
  }
  await recordFailures(deps, limit, noContact, 'no-contact');

  // 4. Group by what the email looks like, and send in chunks of ≤ 50.
  const groups = new Map<string, Recipient[]>();
  for (const recipient of sendable) {
    const key = `${recipient.campaign.campaignId}|${recipient.kind}|${recipient.region}|${recipient.language}`;
    const group = groups.get(key) ?? [];
    group.push(recipient);
    groups.set(key, group);
  }
  const chunks: Recipient[][] = [];
  for (const group of groups.values()) {
    for (let offset = 0; offset < group.length; offset += MAX_RECIPIENTS_PER_SEND) chunks.push(group.slice(offset, offset + MAX_RECIPIENTS_PER_SEND));
  }
  const sesLimit = pLimit(deps.sesConcurrency ?? 2);
  await Promise.all(
    chunks.map((chunk) =>
      sesLimit(async () => {
        const leftover = await sendChunk(deps, limit, chunk, retry, sleep, random, fault);
        for (const recipient of leftover) {
          await deps.store.releaseRecipient(recipient.campaign.campaignId, recipient.accountId, recipient.kind, recipient.attemptId);
          failRecipient(recipient);
        }
      }),
    ),
  );
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
};

const emailKindOf = (recipient: Recipient): EmailKind => {
  if (recipient.kind === 'reminder') return 'reminder';
  const region = recipient.campaign.regions.find((r) => r.region === recipient.region);
  return region?.notification === 'informational' ? 'informational' : 'choice';
};

const templateCache = new Map<string, BulkTemplate>();

const templateFor = (deps: SenderDeps, recipient: Recipient, kind: EmailKind): BulkTemplate => {
  const { campaign } = recipient;
  const key = `${campaign.campaignId}|${kind}|${recipient.region}|${recipient.language}|${deps.publicBaseUrl}`;
  let template = templateCache.get(key);
  if (!template) {
    template = deps.renderEmail({
      content: deps.content,
      noticeId: campaign.noticeId,
      version: campaign.version,
      region: recipient.region,
      language: recipient.language,
      kind,
      deadline: campaign.deadline,
      publicBaseUrl: deps.publicBaseUrl,
    });
    if (templateCache.size > 200) templateCache.clear();
    templateCache.set(key, template);
  }
  return template;
};

const destinationFor = async (deps: SenderDeps, recipient: Recipient, kind: EmailKind): Promise<BulkDestination> => {
  const data: Record<string, string> = {};
  if (kind !== 'informational') {
    const token = await deps.signChoiceToken({
      campaignId: recipient.campaign.campaignId,
      accountId: recipient.accountId,
      expiresAt: recipient.campaign.deadline,
    });
    const choiceUrl = `${deps.publicBaseUrl.replace(/\/$/, '')}/choices/${encodeURIComponent(token)}`;
    // Escaped here: SES substitutes template data raw into the HTML part.
    data['choiceUrl'] = escapeHtml(choiceUrl);
    const offered = recipient.campaign.regions.find((r) => r.region === recipient.region)?.options ?? [];
    for (const [name, link] of Object.entries(optionLinks(choiceUrl, offered))) data[name] = escapeHtml(link);
  }
  return {
    to: recipient.email!,
    replacementData: data,
    tags: {
      [SES_TAGS.campaign]: recipient.campaign.campaignId,
      [SES_TAGS.account]: encodeTagValue(recipient.accountId),
      [SES_TAGS.kind]: recipient.kind,
    },
  };
};

/** Send one chunk with retries; returns the recipients SES never took (to release and redeliver). */
const sendChunk = async (
  deps: SenderDeps,
  limit: ReturnType<typeof pLimit>,
  chunk: Recipient[],
  retry: RetryPolicy,
  sleep: (ms: number) => Promise<void>,
  random: () => number,
  fault: FaultHook,
): Promise<Recipient[]> => {
  const kind = emailKindOf(chunk[0]!);
  const template = templateFor(deps, chunk[0]!, kind);
  const destinations = new Map<Recipient, BulkDestination>();
  for (const recipient of chunk) destinations.set(recipient, await destinationFor(deps, recipient, kind));
  let pending = chunk;
  const expired: Recipient[] = [];
  // SES is only called while a third of the lease is left: past the lease, another attempt may take over.
  const minLeaseLeftMs = (deps.leaseMs ?? DEFAULT_LEASE_MS) / 3;
  // The marker must outlive the lease and the in-doubt grace (a day more, for slow SES events).
  const markerLifetimeMs = (deps.leaseMs ?? DEFAULT_LEASE_MS) + (deps.inDoubtGraceMs ?? DEFAULT_IN_DOUBT_GRACE_MS) + 86_400_000;
  for (let attempt = 0; attempt < retry.attempts && pending.length > 0; attempt++) {
    if (attempt > 0) await sleep(backoffMs(attempt, retry, random));
    await deps.rateLimiter.acquire(pending.length);
    const now = deps.clock.now().getTime();
    expired.push(...pending.filter((recipient) => (recipient.leaseUntil ?? 0) - now < minLeaseLeftMs));
    pending = pending.filter((recipient) => (recipient.leaseUntil ?? 0) - now >= minLeaseLeftMs);
    if (pending.length === 0) break;
    // Mark the recipients submitted before SES sees them (one write on the attempt's marker).
    const unmarked = pending.filter((recipient) => !recipient.submitted);
    if (unmarked.length > 0) await deps.store.markSubmitted(chunk[0]!.campaign.campaignId, chunk[0]!.attemptId, unmarked.map((r) => r.accountId), now + markerLifetimeMs);
    for (const recipient of unmarked) recipient.submitted = true;
    let outcomes: EntryOutcome[];
    try {
      outcomes = await deps.mailer.sendBulk({
        template,
        destinations: pending.map((recipient) => destinations.get(recipient)!),
        defaultTags: { [SES_TAGS.campaign]: chunk[0]!.campaign.campaignId, [SES_TAGS.kind]: chunk[0]!.kind },
      });
    } catch (error) {
      if (error instanceof RetryableSendError) {
        deps.log?.('SendBulkEmail retryable failure', { error: error.message, attempt, recipients: pending.length });
        continue;
      }
      throw error;
    }
    const sent: { recipient: Recipient; messageId: string }[] = [];
    const rejected: { recipient: Recipient; status: string }[] = [];
    const retryNext: Recipient[] = [];
    pending.forEach((recipient, index) => {
      const outcome = outcomes[index]!;
      if (outcome.outcome === 'sent') sent.push({ recipient, messageId: outcome.messageId });
      else if (outcome.outcome === 'rejected') rejected.push({ recipient, status: outcome.status });
      else retryNext.push(recipient);
    });
    // Entries SES said it did not take are not in doubt: a crash from here on must not make them wait the grace.
    if (retryNext.length > 0) await deps.store.clearSubmitted(chunk[0]!.campaign.campaignId, chunk[0]!.attemptId, retryNext.map((r) => r.accountId));
    for (const recipient of retryNext) recipient.submitted = false;
    fault('sender:after-ses-accepted');
    await recordSent(deps, limit, sent, fault);
    await recordFailures(deps, limit, rejected.map((r) => r.recipient), rejected.map((r) => r.status));
    pending = retryNext;
  }
  return [...pending, ...expired];
};

const recordSent = async (
  deps: SenderDeps,
  limit: ReturnType<typeof pLimit>,
  sent: { recipient: Recipient; messageId: string }[],
  fault: FaultHook,
): Promise<void> => {
  if (sent.length === 0) return;
  const at = deps.clock.now().toISOString();
  const transitioned: Recipient[] = [];
  const settled = await Promise.allSettled(
    sent.map(({ recipient, messageId }) =>
      limit(async () => {
        const { campaign } = recipient;
        if (recipient.kind === 'notice') {
          await deps.ledger.appendEvidence(recipient.accountId, campaign.noticeId, {
            kind: 'notification',
            event: 'sent',
            campaignId: campaign.campaignId,
            messageId,
            version: campaign.version,
            channel: 'email',
            at,
          });
          const region = campaign.regions.find((r) => r.region === recipient.region);
          await deps.store.setNotified(recipient.accountId, campaign, region?.options ?? [], at);
        }
        fault('sender:before-mark');
        if (await deps.store.markSent(campaign.campaignId, recipient.accountId, recipient.kind, recipient.attemptId, messageId, at)) {
          transitioned.push(recipient);
        }
      }),
    ),
  );
  // Count what did transition even if one recipient failed, so one error does not leave the others uncounted.
  const failure = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (!failure) fault('sender:after-mark');
  await addCounts(deps, transitioned, (recipient) => {
    if (recipient.kind === 'reminder') return { reminded: 1 };
    return emailKindOf(recipient) === 'informational' ? { sent: 1, informational: 1 } : { sent: 1 };
  });
  if (failure) throw failure.reason;
};

const recordFailures = async (
  deps: SenderDeps,
  limit: ReturnType<typeof pLimit>,
  recipients: Recipient[],
  reasons: string | string[],
): Promise<void> => {
  if (recipients.length === 0) return;
  const at = deps.clock.now().toISOString();
  const transitioned: Recipient[] = [];
  const settled = await Promise.allSettled(
    recipients.map((recipient, index) =>
      limit(async () => {
        const reason = typeof reasons === 'string' ? reasons : reasons[index]!;
        const { campaign } = recipient;
        await deps.ledger.appendEvidence(recipient.accountId, campaign.noticeId, {
          kind: 'notification',
          event: 'failed',
          campaignId: campaign.campaignId,
          // No SES message: the failure's kind and reason identify it, so a retry appends nothing new.
          messageId: `${recipient.kind}-${reason}`,
          version: campaign.version,
          channel: 'email',
          at,
        });
        if (await deps.store.markFailed(campaign.campaignId, recipient.accountId, recipient.kind, recipient.attemptId, reason, at)) {
          transitioned.push(recipient);
        }
      }),
    ),
  );
  await addCounts(deps, transitioned.filter((r) => r.kind === 'notice'), () => ({ failed: 1 }));
  const failure = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
};

/** One counter write per campaign for a set of transitions, on a random shard. */
const addCounts = async (deps: SenderDeps, recipients: Recipient[], delta: (r: Recipient) => Partial<Counters>): Promise<void> => {
  const byCampaign = new Map<string, Partial<Counters>>();
  for (const recipient of recipients) {
    const total = byCampaign.get(recipient.campaign.campaignId) ?? {};
    for (const [name, value] of Object.entries(delta(recipient)) as [keyof Counters, number][]) total[name] = (total[name] ?? 0) + value;
    byCampaign.set(recipient.campaign.campaignId, total);
  }
  const random = deps.random ?? Math.random;
  for (const [campaignId, total] of byCampaign) await deps.store.addCounters(campaignId, Math.floor(random() * 16), total);
};
