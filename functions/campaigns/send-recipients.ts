/**
 * Steps 1 and 2 of the sender: parse the SQS records and merge them per campaign, kind and
 * account, then claim each recipient for this invocation's attempt.
 */
import pLimit from 'p-limit';
import { type SendMessage, sendMessageSchema } from './messages.ts';
import { type Campaign, type SendKind, isRunning } from './model.ts';
import type { SendRecord, SenderDeps } from './sender.ts';

/** One recipient of this invocation, as the sender works on it. */
export interface Recipient {
  readonly campaign: Campaign;
  readonly kind: SendKind;
  readonly accountId: string;
  readonly region: string;
  language: string;
  /** ISO 8601: the recipient's own deadline (a late enrolee's), else the campaign's applies. */
  deadline?: string;
  /** The SQS records that asked for it (each is reported if it fails). */
  readonly records: Set<string>;
  /** A planner's message asked for it (the planner counted it in the audience). */
  planned?: boolean;
  readonly attemptId: string;
  email?: string;
  /** Epoch ms until which our claim is exclusive. */
  leaseUntil?: number;
  /** This attempt recorded that it is calling SES. */
  submitted?: boolean;
}

export const DEFAULT_LEASE_MS = 15 * 60_000;
export const DEFAULT_IN_DOUBT_GRACE_MS = 15 * 60_000;

/** 1. Parse, and merge the messages of this batch per campaign, kind and account; malformed or unknown ones go to `failed`. */
export const parseRecipients = async (deps: SenderDeps, records: readonly SendRecord[], attemptId: string, failed: Set<string>): Promise<Recipient[]> => {
  const log = deps.log ?? (() => {});
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
    let campaign = await deps.campaigns.getCampaign(message.campaignId);
    // A cached pause or block may be over (a resume re-drives its messages at once): look again before parking.
    if (campaign && !isRunning(campaign)) campaign = await deps.campaigns.getCampaign(message.campaignId, { fresh: true });
    if (!campaign) {
      log('send message for an unknown campaign', { campaignId: message.campaignId });
      failed.add(record.messageId);
      continue;
    }
    if (!isRunning(campaign)) {
      // Paused or blocked: send nothing; park the message until it resumes (or hand it back to the queue).
      if (deps.parking) await deps.parking.park(campaign.campaignId, record.messageId, record.body, deps.clock.now().toISOString());
      else failed.add(record.messageId);
      continue;
    }
    const notice = deps.content.notices.find((n) => n.noticeId === campaign.noticeId);
    for (const accountId of message.accountIds) {
      const key = `${message.campaignId}|${message.kind}|${accountId}`;
      const existing = recipients.get(key);
      if (existing) {
        existing.records.add(record.messageId);
        if (message.late !== true) existing.planned = true;
        continue;
      }
      recipients.set(key, {
        campaign,
        kind: message.kind,
        accountId,
        region: message.region,
        language: message.language ?? notice?.defaultLanguage ?? 'en',
        records: new Set([record.messageId]),
        planned: message.late !== true,
        attemptId,
      });
    }
  }
  return [...recipients.values()];
};

/** 2. Claim; answers the recipients now ours, and fails the ones in flight elsewhere or in doubt (redelivery looks again). */
export const claimRecipients = async (
  deps: SenderDeps,
  limit: ReturnType<typeof pLimit>,
  recipients: readonly Recipient[],
  failRecipient: (recipient: Recipient) => void,
): Promise<Recipient[]> => {
  const claimed: Recipient[] = [];
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  await Promise.all(
    recipients.map((recipient) =>
      limit(async () => {
        const now = deps.clock.now().getTime();
        const outcome = await deps.recipients.claimRecipient({
          campaignId: recipient.campaign.campaignId,
          accountId: recipient.accountId,
          kind: recipient.kind,
          attemptId: recipient.attemptId,
          region: recipient.region,
          language: recipient.language,
          planned: recipient.kind === 'notice' && recipient.planned === true,
          now,
          leaseMs,
          inDoubtGraceMs: deps.inDoubtGraceMs ?? DEFAULT_IN_DOUBT_GRACE_MS,
        });
        if (outcome.kind === 'claimed') {
          if (outcome.language) recipient.language = outcome.language;
          if (outcome.deadline) recipient.deadline = outcome.deadline;
          recipient.leaseUntil = now + leaseMs;
          claimed.push(recipient);
        } else if (outcome.kind === 'busy') {
          failRecipient(recipient);
        }
      }),
    ),
  );
  return claimed;
};
