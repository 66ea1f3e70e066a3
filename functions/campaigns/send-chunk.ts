/**
 * Step 4 of the sender: group the claimed recipients by what their email looks like, and send
 * each chunk of ≤ 50 (one template) with retries. Before every SES call the
 * chunk's call item (one per recipient shard in it) names the recipients handed to SES (a crash from then on leaves them in doubt,
 * not re-sendable), after it the same item records what SES accepted (their `sent` facts); SES
 * is only called while a third of the lease is left, so a live attempt never sends a recipient
 * another attempt has taken over.
 */
import type pLimit from 'p-limit';
import { backoffMs } from '../core/retry.ts';
import { RetryableSendError, SendingBlockedError } from './errors.ts';
import { MAX_RECIPIENTS_PER_SEND } from './messages.ts';
import { SES_TAGS, encodeTagValue } from './ses-tags.ts';
import type { BulkDestination, EntryOutcome, SendCall } from './ports.ts';
import { callIdOf } from '../ledger/keys.ts';
import { destinationFor, emailKindOf, templateFor } from './send-email.ts';
import { recordFailures, recordSent } from './send-outcomes.ts';
import { DEFAULT_IN_DOUBT_GRACE_MS, DEFAULT_LEASE_MS, type Recipient } from './send-recipients.ts';
import type { SendBudget, SenderDeps, SenderRetryPolicy } from './sender.ts';

/** Chunks of ≤ 50 recipients that share campaign, kind, region and language (one template each). */
export const chunksOf = (recipients: readonly Recipient[]): Recipient[][] => {
  const groups = new Map<string, Recipient[]>();
  for (const recipient of recipients) {
    const key = `${recipient.campaign.campaignId}|${recipient.kind}|${recipient.region}|${recipient.language}|${recipient.deadline ?? ''}`;
    const group = groups.get(key) ?? [];
    group.push(recipient);
    groups.set(key, group);
  }
  const chunks: Recipient[][] = [];
  for (const group of groups.values()) {
    for (let offset = 0; offset < group.length; offset += MAX_RECIPIENTS_PER_SEND) chunks.push(group.slice(offset, offset + MAX_RECIPIENTS_PER_SEND));
  }
  return chunks;
};

/** A send may take this much longer than the slowest seen before the budget counts it. */
const SEND_MARGIN = 1.5;

/** The latest instant (epoch ms) a quota reservation may start so that the send after it finishes in time; undefined without a budget. */
const latestStartOf = (deps: SenderDeps, budget: SendBudget | undefined, waitMs: number): number | undefined =>
  budget && deps.clock.now().getTime() + budget.remainingMs() - budget.reserveMs - budget.slowestSendMs * SEND_MARGIN - waitMs;

/**
 * A configuration fault (SES refused the call or its entries for our configuration): block the
 * campaign with the reason, so the sender parks its messages until it runs again. The recipients
 * are handed back, never marked failed.
 */
const blockCampaign = async (deps: SenderDeps, campaignId: string, reason: string, blocked: Map<string, string>): Promise<void> => {
  if (blocked.has(campaignId)) return;
  blocked.set(campaignId, reason);
  deps.log?.('campaign blocked: SES refused the configuration', { campaignId, reason });
  deps.metrics?.count(campaignId, 'blocked', 1, { dimensions: { reason: reason.split(':')[0]! } });
  await deps.runState?.setRunState(campaignId, 'block', deps.clock.now().toISOString(), reason);
};

/** Send one chunk with retries, within the invocation's budget; returns the recipients SES never took (to release and redeliver). */
export const sendChunk = async (
  deps: SenderDeps,
  limit: ReturnType<typeof pLimit>,
  chunk: Recipient[],
  retry: SenderRetryPolicy,
  budget?: SendBudget,
  /** Campaigns this invocation found blocked (their chunks send nothing more), with the reason. */
  blocked: Map<string, string> = new Map(),
  /** The chunk's call id (`callIdOf(attemptId, n)`): its item's key and the SES `call` tag. */
  callId: string = callIdOf(chunk[0]!.attemptId, 0),
): Promise<Recipient[]> => {
  const first = chunk[0]!;
  const call: SendCall = { campaignId: first.campaign.campaignId, callId, kind: first.kind };
  const kind = emailKindOf(first);
  const template = templateFor(deps, first, kind);
  const destinations = new Map<Recipient, BulkDestination>();
  for (const recipient of chunk) destinations.set(recipient, await destinationFor(deps, recipient, kind));
  let pending = chunk;
  const expired: Recipient[] = [];
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  // SES is only called while a third of the lease is left: past the lease, another attempt may take over.
  const minLeaseLeftMs = leaseMs / 3;
  // The call's item, until it holds an acceptance, must outlive the lease and the in-doubt grace (a day more, for slow SES events).
  const markerLifetimeMs = leaseMs + (deps.inDoubtGraceMs ?? DEFAULT_IN_DOUBT_GRACE_MS) + 86_400_000;
  const campaignId = first.campaign.campaignId;
  for (let attempt = 0; attempt < retry.attempts && pending.length > 0; attempt++) {
    if (blocked.has(campaignId)) break;
    const backoff = attempt > 0 ? backoffMs(attempt, retry, deps.timers.random) : 0;
    if (budget && (latestStartOf(deps, budget, backoff) ?? 0) < deps.clock.now().getTime()) {
      deps.log?.('out of time: handing the rest back', { recipients: pending.length });
      break;
    }
    if (backoff > 0) await deps.timers.sleep(backoff);
    const askedAt = deps.clock.now().getTime();
    const reserved = await deps.rateLimiter.acquire(pending.length, latestStartOf(deps, budget, 0));
    if (reserved === false) {
      deps.log?.('out of time before the quota is free: handing the rest back', { recipients: pending.length });
      break;
    }
    // The pacer answers where its reservation starts: the time this call waited for the shared quota (none without a quota).
    deps.metrics?.count(campaignId, 'pacerWaitMs', typeof reserved === 'number' ? Math.max(0, reserved - askedAt) : 0, { unit: 'Milliseconds' });
    const sendStartedMs = budget?.remainingMs();
    const now = deps.clock.now().getTime();
    expired.push(...pending.filter((recipient) => (recipient.leaseUntil ?? 0) - now < minLeaseLeftMs));
    pending = pending.filter((recipient) => (recipient.leaseUntil ?? 0) - now >= minLeaseLeftMs);
    if (pending.length === 0) break;
    // Mark the recipients submitted before SES sees them (one write on the call's item).
    const unmarked = pending.filter((recipient) => !recipient.submitted);
    if (unmarked.length > 0) await deps.recipients.markSubmitted(call, unmarked.map((r) => r.accountId), now + markerLifetimeMs);
    for (const recipient of unmarked) recipient.submitted = true;
    let outcomes: EntryOutcome[];
    try {
      outcomes = await deps.mailer.sendBulk({
        template,
        destinations: pending.map((recipient) => destinations.get(recipient)!),
        defaultTags: { [SES_TAGS.campaign]: first.campaign.campaignId, [SES_TAGS.kind]: first.kind, [SES_TAGS.call]: encodeTagValue(callId) },
      });
    } catch (error) {
      if (error instanceof RetryableSendError) {
        deps.log?.('SendBulkEmail retryable failure', { error: error.message, attempt, recipients: pending.length });
        deps.metrics?.count(campaignId, 'sesThrottled', pending.length, { dimensions: { scope: 'call' } });
        continue;
      }
      if (error instanceof SendingBlockedError) {
        // SES took none of them: not in doubt.
        await deps.recipients.clearSubmitted(call, pending.map((r) => r.accountId));
        for (const recipient of pending) recipient.submitted = false;
        await blockCampaign(deps, campaignId, error.reason, blocked);
        break;
      }
      throw error;
    }
    const sent: { recipient: Recipient; messageId: string }[] = [];
    const rejected: { recipient: Recipient; status: string }[] = [];
    const retryNext: Recipient[] = [];
    let blockedReason: string | undefined;
    pending.forEach((recipient, index) => {
      const outcome = outcomes[index]!;
      if (outcome.outcome === 'sent') sent.push({ recipient, messageId: outcome.messageId });
      else if (outcome.outcome === 'rejected') rejected.push({ recipient, status: outcome.status });
      else {
        if (outcome.outcome === 'blocked') blockedReason ??= outcome.reason;
        retryNext.push(recipient);
      }
    });
    // Entries SES said it did not take are not in doubt: a crash from here on must not make them wait the grace.
    if (retryNext.length > 0 && !blockedReason) deps.metrics?.count(campaignId, 'sesThrottled', retryNext.length, { dimensions: { scope: 'entry' } });
    if (retryNext.length > 0) await deps.recipients.clearSubmitted(call, retryNext.map((r) => r.accountId));
    for (const recipient of retryNext) recipient.submitted = false;
    deps.fault?.('sender:after-ses-accepted');
    await recordSent(deps, call, sent);
    await recordFailures(deps, limit, rejected.map((r) => r.recipient), rejected.map((r) => r.status));
    if (budget && sendStartedMs !== undefined) budget.slowestSendMs = Math.max(budget.slowestSendMs, sendStartedMs - budget.remainingMs());
    pending = retryNext;
    if (blockedReason) await blockCampaign(deps, campaignId, blockedReason, blocked);
  }
  return [...pending, ...expired];
};
