/**
 * The notification evidence a campaign's recipient item holds. The sender's one conditional `sent`
 * mark records the SES message id and instant, and each SES outcome (delivery, bounce, complaint,
 * reject) is kept once on the same item by one conditional write: that item is the evidence, so
 * no separate `EV#NTF` item is written for them (one write per fact, not two). The ledger's
 * evidence queries turn the item back into the `NotificationEvidence` records an `EV#NTF` item
 * would hold, under the sort key that item would have had (`evidenceSk`), so history, export and
 * their order are unchanged. What the item cannot hold (a reminder's outcomes, a second outcome
 * of the same kind, a sender's `failed`) is still written as its own `EV#NTF` item; on read the
 * two are merged by sort key.
 *
 * The item is read with its send facts (`send-facts.ts`): a recipient its attempt left `sending`
 * holds its `sent` and `delivered` records in its call's item and delivery log, one per SES call.
 *
 * The attributes read here are those `functions/campaigns/dynamodb/recipient-store.ts` writes.
 */
import { evidenceSk } from './keys.ts';
import type { NotificationEvidence, StoredEvidence } from './types.ts';

/** The SES outcomes a recipient item keeps: `<event>At` and `<event>MessageId`. */
export const KEPT_OUTCOMES = ['delivered', 'bounced', 'complained', 'failed'] as const;

/** The attributes of a recipient item the evidence is made of (a query's projection). */
export const NOTIFICATION_ATTRIBUTES = [
  'accountId',
  'status',
  'attempt',
  'reminderAttempt',
  'messageId',
  'sentAt',
  'reminderStatus',
  'reminderMessageId',
  'reminderSentAt',
  ...KEPT_OUTCOMES.flatMap((event) => [`${event}At`, `${event}MessageId`]),
  'bounceType',
  'bounceSubType',
] as const;

type Item = Record<string, unknown>;

const text = (item: Item, name: string): string | undefined => (typeof item[name] === 'string' ? (item[name] as string) : undefined);

/** The evidence records of one recipient item of campaign `campaignId` (notice `noticeId`, version `version`), each with its sort key. */
export const notificationEvidenceOf = (
  item: Item,
  campaign: { readonly noticeId: string; readonly campaignId: string; readonly version: number },
): { sk: string; item: StoredEvidence }[] => {
  const accountId = text(item, 'accountId') ?? String(item['sk'] ?? '').replace(/^ACCT#/, '');
  const records: NotificationEvidence[] = [];
  const record = (event: NotificationEvidence['event'], messageId: string | undefined, at: string | undefined, extra: Partial<NotificationEvidence> = {}) => {
    if (messageId === undefined || at === undefined) return;
    records.push({ kind: 'notification', event, campaignId: campaign.campaignId, messageId, version: campaign.version, channel: 'email', at, ...extra });
  };
  if (item['status'] === 'sent') record('sent', text(item, 'messageId'), text(item, 'sentAt'));
  if (item['reminderStatus'] === 'sent') record('sent', text(item, 'reminderMessageId'), text(item, 'reminderSentAt'));
  for (const event of KEPT_OUTCOMES) {
    const bounce = event === 'bounced' && text(item, 'bounceType') !== undefined ? { bounceType: text(item, 'bounceType')!, bounceSubType: text(item, 'bounceSubType') ?? '' } : {};
    record(event, text(item, `${event}MessageId`), text(item, `${event}At`), bounce);
  }
  return records.map((evidence) => ({ sk: evidenceSk(campaign.noticeId, evidence), item: { ...evidence, noticeId: campaign.noticeId, accountId } }));
};

/** Entries merged by sort key (an `EV#NTF` item and the recipient item may both hold one record). */
export const mergeBySortKey = <T>(entries: readonly { sk: string; item: T }[]): { sk: string; item: T }[] => [...new Map(entries.map((entry) => [entry.sk, entry])).values()];
