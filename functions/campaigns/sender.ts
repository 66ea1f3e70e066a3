/**
 * The sender: consumes send messages (SQS, `ReportBatchItemFailures`) and emails each recipient
 * exactly once.
 *
 * Per recipient: a conditional claim on its recipient item (`sending`, the invocation's attempt
 * id, a lease) → contact (BatchGet) → token links → per SES call (≤ 50, the quota reserved first)
 * one write on the call's item (per recipient shard in it: a send message is one shard's) naming the recipients handed to SES →
 * `SendBulkEmail` → one write on the same item of what SES accepted (each recipient's message id
 * and instant: its `sent` fact and `NTF sent` evidence, read back through
 * `functions/ledger/send-facts.ts`; the recipient item keeps its claim) → one counter ADD per
 * call. The claim is the only per-recipient write. Retryable
 * failures (429, 5xx, throttled/transient entries) are retried with jittered exponential backoff,
 * then released and reported so SQS redelivers; rejections and missing contacts are recorded
 * `failed`, never retried; so is a recipient whose own deadline (a late enrolee's, else the
 * campaign's) has passed (`deadline-passed`: its link would answer 410). A configuration fault (access denied, unverified identity or MAIL FROM,
 * account suspended or sending paused) blocks the campaign with the reason and hands every
 * recipient back: the redelivered messages are parked until the campaign runs again.
 *
 * Crash safety, and its trade-off: a crash after SES accepted but before the call's acceptance
 * is written leaves the recipient `sending` with no `sent` fact. A redelivery never sends it while its lease is live, nor during the
 * in-doubt grace after the lease expired: in that time the email's first SES event (Delivery,
 * Bounce, Reject, DeliveryDelay …: the configuration set publishes no `Send`, and every accepted
 * email yields one of these; recorded by the SES-events handler through `record-ses-events.ts`)
 * marks it `sent` on its item. Only when the grace passes with no event is it sent again. A longer grace makes a duplicate less likely (an event
 * delayed beyond it) but delays recovery of a recipient whose attempt crashed while SES answered.
 * An attempt that crashed before handing a recipient to SES (not on its call's item) is taken over
 * as soon as its lease expires, and entries SES refused come off the item at once: only truly
 * in-doubt recipients wait. SES is called only while a third of the lease is left, so a live
 * attempt never sends a recipient another attempt has taken over.
 *
 * Counters (`CNT#`) are ADDed after the conditional transition that earns them, so redeliveries and
 * duplicate SES events never count twice; a crash in the instant between the two writes can leave
 * one chunk under-counted (no transactions). Recipient items and evidence stay the truth.
 *
 * Time: with the invocation's remaining time (`context.getRemainingTimeInMillis`), the sender
 * reserves send quota only for a call that can still finish (quota wait + SES + recording, the
 * slowest seen × 1.5, and `timeReserveMs` kept for the hand-back); what it cannot send in time is
 * released and reported as batch item failures, so SQS redelivers it and no invocation overruns.
 *
 * The steps live beside this file: 1–2 in `send-recipients.ts`, 4 in `send-chunk.ts` (the email
 * itself in `send-email.ts`, what is recorded after SES answered in `send-outcomes.ts`).
 */
import { randomUUID } from 'node:crypto';
import { callIdOf } from '../ledger/keys.ts';
import pLimit from 'p-limit';
import type { ContentIndex } from '../core/content.ts';
import type { Clock } from '../core/clock.ts';
import type { RetryPolicy, Timers } from '../core/retry.ts';
import type { AcceptanceStore } from '../ledger/store.ts';
import type { BulkMailer, CampaignControlStore, CampaignReader, CounterStore, FaultHook, RateLimiter, RecipientStore } from './ports.ts';
import type { CampaignMetrics } from './metrics.ts';
import { chunksOf, sendChunk } from './send-chunk.ts';
import type { EmailDeps } from './send-email.ts';
import { recordFailures } from './send-outcomes.ts';
import { type Recipient, claimRecipients, parseRecipients } from './send-recipients.ts';


/** What the sender needs of the ledger: contacts and evidence (the account's `notified` is derived from the `sent` mark on read). */
export type SenderLedger = Pick<AcceptanceStore, 'getContacts' | 'appendEvidence'>;

/** SES calls per chunk before the recipients are handed back to SQS, and the backoff between them. */
export type SenderRetryPolicy = RetryPolicy;

export interface SenderDeps extends EmailDeps {
  readonly campaigns: CampaignReader & CounterStore;
  /** Where a paused campaign's send messages wait until it resumes; without it they go back to the queue. */
  readonly parking?: Pick<CampaignControlStore, 'park'>;
  /** Where a configuration fault blocks the campaign (run state `blocked`); without it the recipients are only handed back. */
  readonly runState?: Pick<CampaignControlStore, 'setRunState'>;
  readonly recipients: Pick<RecipientStore, 'claimRecipient' | 'markSubmitted' | 'clearSubmitted' | 'recordAccepted' | 'releaseRecipient' | 'markFailed'>;
  readonly ledger: SenderLedger;
  readonly mailer: BulkMailer;
  readonly rateLimiter: RateLimiter;
  readonly content: ContentIndex;
  readonly clock: Clock;
  /** Backoff sleeps, their jitter, and the counter shard picked per write. */
  readonly timers: Timers;
  /** How long a claim is exclusive; longer than one invocation can run. @default 15 minutes */
  readonly leaseMs?: number;
  /** After a lease expired, how long to wait for the email's first SES event before sending again. @default 15 minutes */
  readonly inDoubtGraceMs?: number;
  /** @default { attempts: 6, baseMs: 200, maxMs: 5000 } */
  readonly retry?: Partial<SenderRetryPolicy>;
  /** Concurrent DynamoDB writes per invocation. @default 16 */
  readonly concurrency?: number;
  /** Concurrent SES calls per invocation. @default 2 */
  readonly sesConcurrency?: number;
  /** Kept free at the end of an invocation for releasing what was not sent. @default 5000 */
  readonly timeReserveMs?: number;
  /** What a send (quota wait excluded) is assumed to take before one has been timed. @default 2000 */
  readonly firstSendMs?: number;
  readonly newAttemptId?: () => string;
  readonly fault?: FaultHook;
  /** Failures by reason, SES throttling, pacer waits and blocks per campaign (sent and the rest come from the counters). @default none */
  readonly metrics?: CampaignMetrics;
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

/** The invocation's clock, shared by its chunks: the remaining time and the slowest send seen. */
export interface SendBudget {
  remainingMs(): number;
  readonly reserveMs: number;
  slowestSendMs: number;
}

/** Process one SQS batch of send messages, within `remainingMs` when given (the Lambda context's). */
export const sendBatch = async (deps: SenderDeps, records: readonly SendRecord[], remainingMs?: () => number): Promise<SendBatchResult> => {
  const budget: SendBudget | undefined = remainingMs
    ? { remainingMs, reserveMs: deps.timeReserveMs ?? 5_000, slowestSendMs: deps.firstSendMs ?? 2_000 }
    : undefined;
  const limit = pLimit(deps.concurrency ?? 16);
  const retry: SenderRetryPolicy = { attempts: 6, baseMs: 200, maxMs: 5000, ...deps.retry };
  // One attempt id per invocation; each of its SES chunks has a call item (`callIdOf`) recording what it handed to SES and what SES accepted.
  const attemptId = (deps.newAttemptId ?? randomUUID)();
  const failed = new Set<string>();
  const failRecipient = (recipient: Recipient) => recipient.records.forEach((id) => failed.add(id));

  // 1. Parse, and merge the messages of this batch per campaign, kind and account.
  const recipients = await parseRecipients(deps, records, attemptId, failed);

  // 2. Claim; and never email a recipient whose own choice deadline has passed (a late enrolee's is its own, later one).
  const now = deps.clock.now().getTime();
  const claimedAll = await claimRecipients(deps, limit, recipients, failRecipient);
  const pastDeadline = claimedAll.filter((recipient) => Date.parse(recipient.deadline ?? recipient.campaign.deadline) <= now);
  const claimed = claimedAll.filter((recipient) => !pastDeadline.includes(recipient));
  deps.fault?.('sender:after-claim');
  await recordFailures(deps, limit, pastDeadline, 'deadline-passed');

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
  const sesLimit = pLimit(deps.sesConcurrency ?? 2);
  const blocked = new Map<string, string>();
  await Promise.all(
    chunksOf(sendable).map((chunk, index) =>
      sesLimit(async () => {
        const leftover = await sendChunk(deps, limit, chunk, retry, budget, blocked, callIdOf(attemptId, index));
        await Promise.all(
          leftover.map((recipient) =>
            limit(async () => {
              await deps.recipients.releaseRecipient(recipient.campaign.campaignId, recipient.accountId, recipient.kind, recipient.attemptId);
              failRecipient(recipient);
            }),
          ),
        );
      }),
    ),
  );
  // Messages of a campaign found blocked wait parked, like a paused campaign's, instead of returning to the queue.
  if (blocked.size > 0 && deps.parking && deps.runState) {
    const at = deps.clock.now().toISOString();
    const parkedIds = new Set<string>();
    for (const recipient of recipients) {
      if (!blocked.has(recipient.campaign.campaignId)) continue;
      for (const messageId of recipient.records) {
        if (!failed.has(messageId) || parkedIds.has(messageId)) continue;
        parkedIds.add(messageId);
        const record = records.find((r) => r.messageId === messageId);
        if (record) await deps.parking.park(recipient.campaign.campaignId, messageId, record.body, at);
        failed.delete(messageId);
      }
    }
  }
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
};
