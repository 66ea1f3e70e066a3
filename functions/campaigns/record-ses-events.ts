/**
 * Record a batch of SES configuration-set events (the SES-events handler's SQS batch) against the
 * campaign recipients and as `NTF` evidence.
 *
 * One event per email: the configuration set publishes no `Send`, so the email's first event
 * (Delivery, Bounce, Complaint, Reject, RenderingFailure or DeliveryDelay, which all carry the
 * same mail object and tags) settles a recipient its attempt left `sending` (the
 * crash-reconciliation path, through `notice-sent.ts`), with the message id and the instant SES
 * accepted it (`mail.timestamp`). The usual case is an email its call's item says SES accepted
 * (the event's `call` tag names the call; one consistent BatchGet of the batch's calls): it is
 * sent already, and a notice's Delivery is kept in the call's delivery log, one write per call
 * and batch, not per recipient (`functions/ledger/send-facts.ts` reads it back). Any other outcome
 * is kept once on the recipient item with one conditional write, its evidence
 * (`functions/ledger/notification-evidence.ts`), which refuses a `sending` notice its call did not
 * record. Only a refused write reads the recipient (one consistent BatchGet). What the recipient item does not hold (a
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
import { type CampaignReader, type CounterStore, type EventEvidenceLedger, type NoticeLedger, type OutcomeEvent, type RecipientStore, callRef, recipientId } from './ports.ts';
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
  /** From the `call` tag: the SES call whose item holds what SES accepted (`callIdOf`). */
  readonly callId?: string;
}

export interface SesEventsDeps {
  readonly campaigns: CampaignReader & CounterStore;
  readonly recipients: Pick<RecipientStore, 'getRecipients' | 'settleSent' | 'recordOutcome' | 'acceptedInCalls' | 'recordDeliveries'>;
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
  // Outcomes the recipient item (or its call's delivery log) holds need no evidence item of their own.
  const held = events.map(() => false);
  const keep = async (index: number, name: OutcomeEvent, acceptedByCall = false): Promise<boolean> => {
    const event = events[index]!;
    const outcome = await deps.recipients.recordOutcome(event.campaignId, event.accountId, name, event.messageId, event.at, event.bounce, { acceptedByCall });
    held[index] = outcome.held;
    if (outcome.kept) count(index, outcomeDelta(name, event));
    return outcome.sending === true;
  };

  // 0. The calls the events name (their `call` tag): an email its call's item says SES accepted is
  //    `sent` already (its recipient item stays `sending`, holding the claim), so nothing settles it.
  const callOf = (event: SesEventInput) => (event.callId ? { campaignId: event.campaignId, shard: shardOf(event.accountId), callId: event.callId } : undefined);
  const calls = [...new Map(events.flatMap((event, index) => {
    const call = ignored[index] ? undefined : callOf(event);
    return call ? [[callRef(call), call] as const] : [];
  })).values()];
  const accepted = calls.length > 0 ? await deps.recipients.acceptedInCalls(calls) : new Map<string, ReadonlyMap<string, string>>();
  const isAccepted = (event: SesEventInput, index: number): boolean => {
    const call = ignored[index] ? undefined : callOf(event);
    return call !== undefined && accepted.get(callRef(call))?.get(event.accountId) === event.messageId;
  };
  const acceptedByCall = events.map(isAccepted);
  // An event may overtake its live attempt's record of the call (SES answered, the sender is writing it):
  // while the recipient's claim is live, read again for a moment before taking the crash path.
  const waitMs = deps.awaitLiveAttemptsMs ?? 0;
  const unrecorded = () => events.flatMap((event, index) => (event.callId && !ignored[index] && !acceptedByCall[index] ? [index] : []));
  if (waitMs > 0 && unrecorded().length > 0) {
    const readCallsAgain = async (indexes: readonly number[]): Promise<void> => {
      if (indexes.length === 0) return;
      for (const [ref, entries] of await deps.recipients.acceptedInCalls([...new Map(indexes.map((index) => [callRef(callOf(events[index]!)!), callOf(events[index]!)!])).values()])) accepted.set(ref, entries);
      for (const index of indexes) acceptedByCall[index] = isAccepted(events[index]!, index);
    };
    let claims = await deps.recipients.getRecipients(unrecorded().map((index) => events[index]!));
    const stateOf = (index: number) => {
      const event = events[index]!;
      return claims.get(recipientId(event.campaignId, event.accountId))?.[event.kind ?? 'notice'];
    };
    const live = (index: number): boolean => {
      const state = stateOf(index);
      return state?.status === 'sending' && Number(state.leaseUntil) > deps.clock.now().getTime();
    };
    // The claims are read with their calls' facts: one that reads `sent` had its call land between the two reads, so read that call again.
    await readCallsAgain(unrecorded().filter((index) => stateOf(index)?.status === 'sent'));
    for (let waited = 0; waited < waitMs && unrecorded().some(live); ) {
      const step = Math.min(POLL_MS, waitMs - waited);
      await deps.timers.sleep(step);
      waited += step;
      await readCallsAgain(unrecorded().filter(live));
      claims = await deps.recipients.getRecipients(unrecorded().map((index) => events[index]!));
      await readCallsAgain(unrecorded().filter((index) => stateOf(index)?.status === 'sent'));
    }
  }

  // 1. Notices' deliveries of accepted emails: one write per call on its delivery log (a repeat keeps nothing new).
  const deliveries = new Map<string, number[]>();
  const logged = events.map(() => false);
  events.forEach((event, index) => {
    if (acceptedByCall[index] && event.kind !== 'reminder' && keptOutcome(index) === 'delivered') {
      logged[index] = true;
      const ref = callRef(callOf(event)!);
      deliveries.set(ref, [...(deliveries.get(ref) ?? []), index]);
    }
  });
  await Promise.all(
    [...deliveries.values()].map((indexes) =>
      limit(async () => {
        const first = events[indexes[0]!]!;
        const kept = new Set(await deps.recipients.recordDeliveries(callOf(first)!, indexes.map((index) => ({ accountId: events[index]!.accountId, at: events[index]!.at }))));
        for (const index of indexes) {
          held[index] = true;
          if (kept.has(events[index]!.accountId)) {
            count(index, outcomeDelta('delivered', events[index]!));
            kept.delete(events[index]!.accountId);
          }
        }
      }),
    ),
  );

  // 2. The other outcomes: one conditional write each on the recipient item, refused only while
  //    the notice is `sending` with no `sent` fact (its call's item did not record it).
  const toSettle: number[] = [];
  await Promise.all(
    events.map((event, index) =>
      limit(async () => {
        if (ignored[index] || logged[index]) return;
        const name = keptOutcome(index);
        if (acceptedByCall[index]) {
          if (name) await keep(index, name, true);
          return;
        }
        if (!name || (await keep(index, name))) toSettle.push(index);
      }),
    ),
  );
  if (toSettle.length > 0) {
    // 3. Settle what is still `sending` from the event (the email's first), then keep the outcome it was refused.
    const settling = toSettle.map((index) => events[index]!);
    const items = await deps.recipients.getRecipients(settling);
    const itemOf = (event: SesEventInput): RecipientRecord | undefined => items.get(recipientId(event.campaignId, event.accountId));
    const sendingKind = (event: SesEventInput) => KINDS.find((k) => (event.kind ?? k) === k && itemOf(event)?.[k].status === 'sending');
    // An event may overtake the live attempt's own record of its send: give live attempts a moment to record it rather than doing it twice
    // (an event naming its call waited for the call above).
    for (let waited = 0; waited < waitMs; ) {
      const now = deps.clock.now().getTime();
      const live = settling.filter((event) => {
        if (event.callId) return false;
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
          // Settled (by this call, or its attempt recorded its call meanwhile): keep the outcome now; one still `sending` is left to a redelivery.
          if (name && (await keep(index, name, !kind))) throw new RecipientStillSendingError();
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
