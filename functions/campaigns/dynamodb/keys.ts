/** Key design of the campaign items in the ledger table (docs/data-model.md): the only place that spells them. */
import { campaignRecipientKey, campaignRecipientPk, shardOf } from '../../ledger/keys.ts';
import type { SendKind } from '../model.ts';

const padded = (shard: number): string => String(shard).padStart(2, '0');

export const campaignPk = (campaignId: string): string => `CMP#${campaignId}`;
export const META_SK = 'META';
export const counterSk = (shard: number): string => `CNT#${padded(shard)}`;
export const planSk = (region: string, shard: number): string => `PLAN#${region}#${padded(shard)}`;

/** Send messages of a paused campaign, kept until it resumes (sk: the queue message id). */
export const parkPk = (campaignId: string): string => `CMP#${campaignId}#PARK`;

/** The partition of one recipient shard. */
export const recipientPk = campaignRecipientPk;

/** Recipient partition: sharded like the audience so one campaign never makes a hot partition. */
export const recipientKey = campaignRecipientKey;

/** A send call's item and delivery log (`functions/ledger/keys.ts`: the ledger reads them back as the recipients' send facts). */
export { campaignCallKey, callIdOf, deliveryLogKey } from '../../ledger/keys.ts';

/** Attribute names of a recipient item per kind: a reminder is tracked beside the notice on the same item. */
export const fieldsOf = (kind: SendKind) =>
  kind === 'notice'
    ? { status: 'status', attempt: 'attempt', lease: 'leaseUntil', messageId: 'messageId', at: 'sentAt', claimedAt: 'claimedAt', failedAt: 'failedAt', reason: 'failureReason' }
    : {
        status: 'reminderStatus',
        attempt: 'reminderAttempt',
        lease: 'reminderLeaseUntil',
        messageId: 'reminderMessageId',
        at: 'reminderSentAt',
        claimedAt: 'reminderClaimedAt',
        failedAt: 'reminderFailedAt',
        reason: 'reminderFailureReason',
      };

/** The sparse partition of one shard's late-affected accounts (accepted an older version, or got a contact, after the start). */
export const latePk = (campaignId: string, shard: number): string => `CMP#${campaignId}#LATE#${padded(shard)}`;
export const lateKey = (campaignId: string, accountId: string): { pk: string; sk: string } => ({
  pk: latePk(campaignId, shardOf(accountId)),
  sk: `ACCT#${accountId}`,
});

/** A sweep walk's checkpoint (`sweep-steps.ts`): one item per scope (a campaign id or a global name) and step. */
export const sweepCheckpointKey = (scope: string, step: string): { pk: string; sk: string } => ({ pk: `SWEEP#${scope}`, sk: `STEP#${step}` });
