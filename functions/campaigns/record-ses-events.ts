/**
 * Record a batch of SES configuration-set events (the SES-events handler's SQS batch) against the
 * campaign recipients and as `NTF` evidence.
 *
 * A `Send` settles a recipient still `sending` (the crash-reconciliation path, through
 * `notice-sent.ts`): one consistent BatchGet finds those, so the usual case (the sender already
 * marked it) costs no write. Delivery, bounce, complaint and failure are kept once per recipient
 * with one conditional write each, and as evidence that restates the event itself (one batch
 * write). The counts of the whole batch go out in one ADD per campaign, after the writes that
 * earned them (a crash between under-counts; a redelivery never counts twice). Events for
 * campaigns or recipients we do not know are ignored.
 */
import pLimit from 'p-limit';
import type { Clock } from '../core/clock.ts';
import type { Timers } from '../core/retry.ts';
import { shardOf } from '../ledger/keys.ts';
import { type Campaign, type Counters, type RecipientRecord, type SendKind, addInto } from './model.ts';
import { notificationEvidence, recordSentFromEvent } from './notice-sent.ts';
import { type CampaignReader, type CounterStore, type EventEvidenceLedger, type NoticeLedger, type RecipientStore, recipientId } from './ports.ts';
import { notificationEventOf } from './ses-event-types.ts';
import { bounceCounterOf } from './model.ts';
import { type ReputationGuardDeps, guardReputation } from './auto-pause.ts';

/** One SES event as the handler read it. */
export interface SesEventInput {
  readonly campaignId: string;
  readonly accountId: string;
  /** The SES `eventType` (`Send`, `Delivery` …); `ses-event-types.ts` maps it. */
  readonly event: string;
  readonly messageId: string;
  readonly at: string;
  /** From the `kind` tag; without it a `Send` settles whichever of notice and reminder is `sending`. */
  readonly kind?: SendKind;
  /** A `Bounce`'s type and subtype as SES gives them (`Permanent`/`General`, `Permanent`/`OnAccountSuppressionList` …). */
  readonly bounce?: { readonly type: string; readonly subType: string };
}

export interface SesEventsDeps {
  readonly campaigns: CampaignReader & CounterStore;
  readonly recipients: Pick<RecipientStore, 'getRecipients' | 'settleSent' | 'recordOutcome'>;
  readonly ledger: NoticeLedger & EventEvidenceLedger;
  readonly clock: Clock;
  readonly timers: Timers;
  /** How long to wait for live attempts to mark their own sends before settling them here. @default 0 */
  readonly awaitLiveAttemptsMs?: number;
  /** Pauses a campaign whose own bounce or complaint ratio passes its thresholds (`auto-pause.ts`). @default none */
  readonly reputation?: ReputationGuardDeps;
}

export interface SesEventsResult {
  /** Per event: whether it changed a recipient. */
  readonly changed: boolean[];
  /** Per event: not ours (a type we do not track, or an unknown campaign). */
  readonly ignored: boolean[];
}

const KINDS = ['notice', 'reminder'] as const;
/** Writes in flight at once. */
const CONCURRENCY = 16;
/** How often a live attempt's recipients are read again while waiting for its marks. */
const POLL_MS = 500;

/** Record one batch of SES events; answers, per event, whether it changed anything and whether it was ignored. */
export const recordSesEvents = async (deps: SesEventsDeps, events: readonly SesEventInput[]): Promise<SesEventsResult> => {
  const changed = events.map(() => false);
  const deltas = new Map<string, Partial<Counters>>();
  const named = events.map((event) => notificationEventOf(event.event));
  const campaigns = new Map<string, Campaign | undefined>();
  for (const [index, event] of events.entries()) {
    if (named[index] && !campaigns.has(event.campaignId)) campaigns.set(event.campaignId, await deps.campaigns.getCampaign(event.campaignId));
  }
  const ignored = events.map((event, index) => !named[index] || !campaigns.get(event.campaignId));
  const sends = events.filter((_, index) => !ignored[index] && named[index] === 'sent');
  const items = await deps.recipients.getRecipients(sends);
  const itemOf = (event: SesEventInput): RecipientRecord | undefined => items.get(recipientId(event.campaignId, event.accountId));
  // A Send event usually overtakes the live attempt's own `sent` mark (SES emits it at once):
  // give live attempts a moment to record their sends rather than doing it twice.
  const sendingKind = (event: SesEventInput) => KINDS.find((k) => (event.kind ?? k) === k && itemOf(event)?.[k].status === 'sending');
  const waitMs = deps.awaitLiveAttemptsMs ?? 0;
  for (let waited = 0; waited < waitMs; ) {
    const now = deps.clock.now().getTime();
    const live = sends.filter((event) => {
      const kind = sendingKind(event);
      return kind !== undefined && Number(itemOf(event)?.[kind].leaseUntil) > now;
    });
    if (live.length === 0) break;
    const step = Math.min(POLL_MS, waitMs - waited);
    await deps.timers.sleep(step);
    waited += step;
    for (const [key, item] of await deps.recipients.getRecipients(live)) items.set(key, item);
  }
  const limit = pLimit(CONCURRENCY);
  await Promise.all(
    events.map((event, index) =>
      limit(async () => {
        const name = named[index];
        const campaign = campaigns.get(event.campaignId);
        if (!name || !campaign) return;
        let delta: Partial<Counters> | undefined;
        if (name === 'sent') {
          const kind = sendingKind(event);
          if (!kind) return;
          delta = await recordSentFromEvent(deps, { campaign, accountId: event.accountId, kind, region: itemOf(event)?.region, messageId: event.messageId, at: event.at });
        } else {
          if (event.kind === 'reminder') return; // reminders' deliveries are not campaign progress
          delta = (await deps.recipients.recordOutcome(event.campaignId, event.accountId, name, event.messageId, event.at))
            ? { [name]: 1, ...(name === 'bounced' ? { [bounceCounterOf(event.bounce?.type)]: 1 } : {}) }
            : undefined;
        }
        if (!delta) return;
        changed[index] = true;
        deltas.set(event.campaignId, addInto(deltas.get(event.campaignId) ?? {}, delta));
      }),
    ),
  );
  for (const [campaignId, delta] of deltas) await deps.campaigns.addCounters(campaignId, shardOf(campaignId), delta);
  // After the counts that may tip it: a campaign whose own ratios pass the thresholds pauses.
  if (deps.reputation) {
    for (const [campaignId, delta] of deltas) if ((delta.bounced ?? 0) > 0 || (delta.complained ?? 0) > 0) await guardReputation(deps.reputation, campaignId);
  }
  // Outcome evidence restates the event (its own instant and message id): writing it again writes the same bytes.
  await deps.ledger.appendEventEvidence(
    events.flatMap((event, index) => {
      const name = named[index];
      const campaign = campaigns.get(event.campaignId);
      if (!name || name === 'sent' || !campaign) return [];
      return [{ accountId: event.accountId, noticeId: campaign.noticeId, evidence: notificationEvidence(campaign, name, event.messageId, event.at, event.bounce) }];
    }),
  );
  return { changed, ignored };
};
