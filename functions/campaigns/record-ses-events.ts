/**
 * Record a batch of SES configuration-set events (the SES-events handler's SQS batch) against the
 * campaign recipients and as `NTF` evidence.
 *
 * One event per email: the configuration set publishes no `Send`, so the email's first event
 * (Delivery, Bounce, Complaint, Reject, RenderingFailure or DeliveryDelay, which all carry the
 * same mail object and tags) settles a recipient its attempt left `sending` (the
 * crash-reconciliation path, through `notice-sent.ts`), with the message id and the instant SES
 * accepted it (`mail.timestamp`). A notice's outcome is kept once per recipient with one
 * conditional write that refuses a `sending` notice, and that write is its evidence
 * (`functions/ledger/notification-evidence.ts`): the usual case (the sender already marked it)
 * costs that one write and no read. Only a refused write, a reminder's event or a DeliveryDelay
 * reads the recipient (one consistent BatchGet). What the recipient item does not hold (a
 * reminder's outcome, a second message's, an unknown recipient's) is written as evidence of its
 * own that restates the event (one batch write). The counts of the whole batch go out in one ADD
 * per campaign, after the writes that earned them (a crash between under-counts, and the
 * scheduler's recount corrects it; a redelivery never counts twice). Events for unknown
 * campaigns are ignored.
 */
import pLimit from 'p-limit';
import type { Clock } from '../core/clock.ts';
import type { Timers } from '../core/retry.ts';
import { shardOf } from '../ledger/keys.ts';
import { type Campaign, type Counters, type RecipientRecord, type SendKind, addInto } from './model.ts';
import { notificationEvidence, recordSentFromEvent } from './notice-sent.ts';
import { type CampaignReader, type CounterStore, type EventEvidenceLedger, type NoticeLedger, type OutcomeEvent, type RecipientStore, recipientId } from './ports.ts';
import { isTrackedEvent, notificationEventOf } from './ses-event-types.ts';
import { bounceCounterOf } from './model.ts';
import { type ReputationGuardDeps, guardReputation } from './auto-pause.ts';

/** One SES event as the handler read it. */
export interface SesEventInput {
  readonly campaignId: string;
  readonly accountId: string;
  /** The SES `eventType` (`Delivery`, `Bounce` …); `ses-event-types.ts` maps it. */
  readonly event: string;
  readonly messageId: string;
  /** The event's own instant. */
  readonly at: string;
  /** When SES accepted the email (`mail.timestamp`): the `sent` instant if this event settles the recipient. @default at */
  readonly sentAt?: string;
  /** From the `kind` tag; without it the event settles whichever of notice and reminder is `sending`. */
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

type Delta = Partial<Counters>;

/** The counts a kept outcome earns. */
const outcomeDelta = (name: OutcomeEvent, event: SesEventInput): Delta => ({ [name]: 1, ...(name === 'bounced' ? { [bounceCounterOf(event.bounce?.type)]: 1 } : {}) });

/** Record one batch of SES events; answers, per event, whether it changed anything and whether it was ignored. */
export const recordSesEvents = async (deps: SesEventsDeps, events: readonly SesEventInput[]): Promise<SesEventsResult> => {
  const changed = events.map(() => false);
  const deltas = new Map<string, Delta>();
  const named = events.map((event) => notificationEventOf(event.event));
  const campaigns = new Map<string, Campaign | undefined>();
  for (const event of events) {
    if (isTrackedEvent(event.event) && !campaigns.has(event.campaignId)) campaigns.set(event.campaignId, await deps.campaigns.getCampaign(event.campaignId));
  }
  const ignored = events.map((event) => !isTrackedEvent(event.event) || !campaigns.get(event.campaignId));
  const count = (index: number, delta: Delta | undefined): void => {
    if (!delta) return;
    changed[index] = true;
    const { campaignId } = events[index]!;
    deltas.set(campaignId, addInto(deltas.get(campaignId) ?? {}, delta));
  };
  /** A notice's outcome the recipient item keeps (else a reminder's, a settle-only event's or a `Send`'s: nothing to keep on the item). */
  const keptOutcome = (index: number): OutcomeEvent | undefined => {
    const name = named[index];
    return name && name !== 'sent' && events[index]!.kind !== 'reminder' ? name : undefined;
  };
  const limit = pLimit(CONCURRENCY);
  // Outcomes the recipient item holds need no evidence item of their own.
  const held = events.map(() => false);
  const keep = async (index: number, name: OutcomeEvent): Promise<boolean> => {
    const event = events[index]!;
    const outcome = await deps.recipients.recordOutcome(event.campaignId, event.accountId, name, event.messageId, event.at, event.bounce);
    held[index] = outcome.held;
    if (outcome.kept) count(index, outcomeDelta(name, event));
    return outcome.sending === true;
  };

  // 1. Keep the notices' outcomes: one conditional write each, refused only while the notice is `sending`.
  const toSettle: number[] = [];
  await Promise.all(
    events.map((event, index) =>
      limit(async () => {
        if (ignored[index]) return;
        const name = keptOutcome(index);
        if (!name || (await keep(index, name))) toSettle.push(index);
      }),
    ),
  );
  if (toSettle.length > 0) {
    // 2. Settle what is still `sending` from the event (the email's first), then keep the outcome it was refused.
    const settling = toSettle.map((index) => events[index]!);
    const items = await deps.recipients.getRecipients(settling);
    const itemOf = (event: SesEventInput): RecipientRecord | undefined => items.get(recipientId(event.campaignId, event.accountId));
    const sendingKind = (event: SesEventInput) => KINDS.find((k) => (event.kind ?? k) === k && itemOf(event)?.[k].status === 'sending');
    // An event may overtake the live attempt's own `sent` mark: give live attempts a moment to record their sends rather than doing it twice.
    const waitMs = deps.awaitLiveAttemptsMs ?? 0;
    for (let waited = 0; waited < waitMs; ) {
      const now = deps.clock.now().getTime();
      const live = settling.filter((event) => {
        const kind = sendingKind(event);
        return kind !== undefined && Number(itemOf(event)?.[kind].leaseUntil) > now;
      });
      if (live.length === 0) break;
      const step = Math.min(POLL_MS, waitMs - waited);
      await deps.timers.sleep(step);
      waited += step;
      for (const [key, item] of await deps.recipients.getRecipients(live)) items.set(key, item);
    }
    await Promise.all(
      toSettle.map((index) =>
        limit(async () => {
          const event = events[index]!;
          const campaign = campaigns.get(event.campaignId)!;
          const kind = sendingKind(event);
          if (kind) {
            const sent = { campaign, accountId: event.accountId, kind, region: itemOf(event)?.region, messageId: event.messageId, at: event.sentAt ?? event.at };
            count(index, await recordSentFromEvent(deps, sent));
          }
          const name = keptOutcome(index);
          // Settled (by this call or by its attempt meanwhile): keep the outcome now; one still `sending` is left to a redelivery.
          if (name && (await keep(index, name))) throw new RecipientStillSendingError();
        }),
      ),
    );
  }
  for (const [campaignId, delta] of deltas) await deps.campaigns.addCounters(campaignId, shardOf(campaignId), delta);
  // After the counts that may tip it: a campaign whose own ratios pass the thresholds pauses.
  if (deps.reputation) {
    for (const [campaignId, delta] of deltas) if ((delta.bounced ?? 0) > 0 || (delta.complained ?? 0) > 0) await guardReputation(deps.reputation, campaignId);
  }
  // Outcome evidence the recipient item does not hold restates the event (its own instant and message id): writing it again writes the same bytes.
  await deps.ledger.appendEventEvidence(
    events.flatMap((event, index) => {
      const name = named[index];
      const campaign = campaigns.get(event.campaignId);
      if (!name || name === 'sent' || !campaign || held[index]) return [];
      return [{ accountId: event.accountId, noticeId: campaign.noticeId, evidence: notificationEvidence(campaign, name, event.messageId, event.at, event.bounce) }];
    }),
  );
  return { changed, ignored };
};

/** A notice refused its outcome as `sending` even after the settle (another attempt's state raced it): the event is retried. */
export class RecipientStillSendingError extends Error {
  override readonly name = 'RecipientStillSendingError';
  constructor() {
    super('recipient still sending after its settle');
  }
}
