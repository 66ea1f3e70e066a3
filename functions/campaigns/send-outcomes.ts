/**
 * What the sender records after SES answered: what SES accepted of a call (through
 * `notice-sent.ts`, one write on the call's item), failures for good (rejected, no contact), and
 * one counter write per campaign for what earned a count. Counters go after the writes that earn
 * them (a call's acceptance is written once; failures are conditional transitions), so a
 * redelivery never counts twice.
 */
import type pLimit from 'p-limit';
import { AUDIENCE_SHARDS } from '../ledger/types.ts';
import { type Counters, addInto } from './model.ts';
import { notificationEvidence, recordSentByCall } from './notice-sent.ts';
import type { SendCall } from './ports.ts';
import type { Recipient } from './send-recipients.ts';
import type { SenderDeps } from './sender.ts';

type Limit = ReturnType<typeof pLimit>;

/** One counter write per campaign for a set of transitions, on a random shard. */
const addCounts = async (deps: SenderDeps, counted: readonly { recipient: Recipient; delta: Partial<Counters> }[]): Promise<void> => {
  const byCampaign = new Map<string, Partial<Counters>>();
  for (const { recipient, delta } of counted) {
    const campaignId = recipient.campaign.campaignId;
    byCampaign.set(campaignId, addInto(byCampaign.get(campaignId) ?? {}, delta));
  }
  for (const [campaignId, total] of byCampaign) await deps.campaigns.addCounters(campaignId, Math.floor(deps.timers.random() * AUDIENCE_SHARDS), total);
};

/** What SES accepted of one call, on the call's item (the evidence), then the call's counts. */
export const recordSent = async (deps: SenderDeps, call: SendCall, sent: readonly { recipient: Recipient; messageId: string }[]): Promise<void> => {
  if (sent.length === 0) return;
  const at = deps.clock.now().toISOString();
  const delta = await recordSentByCall(
    deps,
    call,
    sent.map(({ recipient, messageId }) => ({ campaign: recipient.campaign, accountId: recipient.accountId, kind: recipient.kind, region: recipient.region, messageId, at })),
  );
  deps.fault?.('sender:after-mark');
  await deps.campaigns.addCounters(call.campaignId, Math.floor(deps.timers.random() * AUDIENCE_SHARDS), delta);
};

/** `NTF failed` evidence and the `failed` mark of recipients refused for good, then their counts (notices only). */
export const recordFailures = async (deps: SenderDeps, limit: Limit, recipients: readonly Recipient[], reasons: string | readonly string[]): Promise<void> => {
  if (recipients.length === 0) return;
  const at = deps.clock.now().toISOString();
  const counted: { recipient: Recipient; delta: Partial<Counters> }[] = [];
  const settled = await Promise.allSettled(
    recipients.map((recipient, index) =>
      limit(async () => {
        const reason = typeof reasons === 'string' ? reasons : reasons[index]!;
        const { campaign } = recipient;
        // No SES message: the failure's kind and reason identify it, so a retry appends nothing new.
        await deps.ledger.appendEvidence(recipient.accountId, campaign.noticeId, notificationEvidence(campaign, 'failed', `${recipient.kind}-${reason}`, at));
        if (await deps.recipients.markFailed(campaign.campaignId, recipient.accountId, recipient.kind, recipient.attemptId, reason, at)) {
          if (recipient.kind === 'notice') counted.push({ recipient, delta: { failed: 1 } });
          deps.metrics?.count(campaign.campaignId, 'failed', 1, { dimensions: { reason, kind: recipient.kind } });
        }
      }),
    ),
  );
  await addCounts(deps, counted);
  const failure = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
};
