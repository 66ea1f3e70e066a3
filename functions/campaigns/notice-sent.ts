/**
 * "A notice was sent", recorded in one place for both paths that learn it: the sending attempt
 * (SES accepted the entry) and the first SES event of an email whose attempt left its recipient
 * `sending` (the crash-reconciliation path: a Delivery, Bounce … carries the mail's message id
 * and the instant SES accepted it). The facts are the same on both: the recipient's `sent` mark and the
 * counter delta it earns (the account's `notified` is derived from the mark on read,
 * `functions/ledger/notified.ts`, not written per email).
 * The mark is the `NTF sent` evidence too: the one conditional write holds the SES message id and
 * instant, and the ledger's evidence queries read it from the recipient item
 * (`functions/ledger/notification-evidence.ts`), so no second item is written per email.
 */
import type { NotificationEvidence } from '../ledger/types.ts';
import { type Campaign, type Counters, type SendKind, campaignRegion } from './model.ts';
import type { FaultHook, RecipientStore } from './ports.ts';

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

export interface SentByAttemptDeps {
  readonly recipients: Pick<RecipientStore, 'markSent'>;
  readonly fault?: FaultHook;
}

/**
 * By the attempt that sent it: the conditional mark (which holds the evidence, and from which the
 * account's `notified` is derived on read, `functions/ledger/notified.ts`). Answers the counter
 * delta when this call made the transition (count it then), else undefined.
 */
export const recordSentByAttempt = async (deps: SentByAttemptDeps, sent: SentNotice & { readonly attemptId: string }): Promise<Partial<Counters> | undefined> => {
  const { campaign } = sent;
  deps.fault?.('sender:before-mark');
  const marked = await deps.recipients.markSent(campaign.campaignId, sent.accountId, sent.kind, sent.attemptId, sent.messageId, sent.at);
  return marked ? sentCounts(sent) : undefined;
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
