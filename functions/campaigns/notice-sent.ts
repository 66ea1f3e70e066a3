/**
 * "A notice was sent", recorded in one place for both paths that learn it: the sending attempt
 * (SES accepted the entry) and the first SES event of an email whose attempt left its recipient
 * `sending` (the crash-reconciliation path: a Delivery, Bounce … carries the mail's message id
 * and the instant SES accepted it). The facts are the same on both: the recipient's `sent` fact
 * (the attempt: on its call's item, one write per SES call; the event: the recipient item's
 * conditional settle) and the counter delta it earns (the account's `notified` is derived from it
 * on read, `functions/ledger/notified.ts`, not written per email).
 * The fact is the `NTF sent` evidence too: it holds the SES message id and instant, and the
 * ledger's evidence queries read it through `functions/ledger/send-facts.ts`
 * (`functions/ledger/notification-evidence.ts`), so no second item is written per email.
 */
import type { NotificationEvidence } from '../ledger/types.ts';
import { type Campaign, type Counters, type SendKind, addInto, campaignRegion } from './model.ts';
import type { FaultHook, RecipientStore, SendCall } from './ports.ts';

/** One sent email as both paths know it. */
export interface SentNotice {
  readonly campaign: Campaign;
  readonly accountId: string;
  readonly kind: SendKind;
  /** The recipient's region (what it was claimed for). */
  readonly region: string | undefined;
  readonly messageId: string;
  /** ISO 8601. */
  readonly at: string;
  /** ISO 8601: the recipient's own deadline (a late enrolee's); else the campaign's. */
  readonly deadline?: string;
}

/** The counters one sent email moves: a reminder, or a notice (informational ones counted apart). */
export const sentCounts = (sent: Pick<SentNotice, 'campaign' | 'kind' | 'region'>): Partial<Counters> => {
  if (sent.kind === 'reminder') return { reminded: 1 };
  return campaignRegion(sent.campaign, sent.region)?.notification === 'informational' ? { sent: 1, informational: 1 } : { sent: 1 };
};

/** The `NTF` evidence of one email event of a campaign: every path that records one builds it here. */
export const notificationEvidence = (
  campaign: Pick<Campaign, 'campaignId' | 'version'>,
  event: NotificationEvidence['event'],
  messageId: string,
  at: string,
  bounce?: { readonly type: string; readonly subType: string },
): NotificationEvidence => ({
  kind: 'notification',
  event,
  campaignId: campaign.campaignId,
  messageId,
  version: campaign.version,
  channel: 'email',
  at,
  ...(bounce ? { bounceType: bounce.type, bounceSubType: bounce.subType } : {}),
});

export interface SentByCallDeps {
  readonly recipients: Pick<RecipientStore, 'recordAccepted'>;
  readonly fault?: FaultHook;
}

/**
 * By the call that sent them: one write on the call's item, for every recipient SES accepted in
 * it (which holds the evidence, and from which the recipients' `sent` and the account's
 * `notified` are read, `functions/ledger/send-facts.ts`). Answers the counter delta of the whole
 * call (the call is written once: count it then).
 */
export const recordSentByCall = async (deps: SentByCallDeps, call: SendCall, sent: readonly SentNotice[]): Promise<Partial<Counters>> => {
  if (sent.length === 0) return {};
  deps.fault?.('sender:before-mark');
  await deps.recipients.recordAccepted(
    call,
    sent.map((notice) => ({ accountId: notice.accountId, messageId: notice.messageId, at: notice.at })),
  );
  return sent.reduce<Partial<Counters>>((total, notice) => addInto(total, sentCounts(notice)), {});
};

export interface SentFromEventDeps {
  readonly recipients: Pick<RecipientStore, 'settleSent'>;
}

/**
 * From the first SES event of a recipient still `sending`: the conditional settle (which holds
 * the evidence, for reminders as for notices), which the live attempt may race for the same
 * transition: only the one that made it counts it. Answers the counter delta when this call settled it.
 */
export const recordSentFromEvent = async (deps: SentFromEventDeps, sent: SentNotice): Promise<Partial<Counters> | undefined> => {
  const { campaign } = sent;
  if (!(await deps.recipients.settleSent(campaign.campaignId, sent.accountId, sent.kind, sent.messageId, sent.at))) return undefined;
  return sentCounts(sent);
};
