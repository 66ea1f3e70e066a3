/** Key design of the ledger table (see docs/data-model.md): the only place that spells pk/sk/gsi keys. */
import { createHash } from 'node:crypto';
import { AUDIENCE_SHARDS, type EvidenceRecord } from './types.ts';

const VERSION_DIGITS = 6;

/** Zero-padded version so that string order is numeric order in sort keys. */
export const paddedVersion = (version: number): string => String(version).padStart(VERSION_DIGITS, '0');

/** Stable shard 0..15 of an account: the same account always lands in the same audience/evidence partition. */
export const shardOf = (accountId: string): number =>
  createHash('sha256').update(accountId).digest().readUInt32BE(0) % AUDIENCE_SHARDS;

const paddedShard = (shard: number): string => String(shard).padStart(2, '0');

export const accountPk = (accountId: string): string => `ACCT#${accountId}`;
export const stateSk = (noticeId: string): string => `STATE#${noticeId}`;
export const CONTACT_SK = 'CONTACT';
export const EVIDENCE_SK_PREFIX = 'EV#';
/** Contact events: one item per set or erasure, keyed by instant and a random id (two in one millisecond both stay). */
export const contactEventSk = (at: string, id: string): string => `EV#CON#${at}#${id}`;

export const audiencePk = (noticeId: string, region: string, shard: number): string =>
  `AUD#${noticeId}#${region}#${paddedShard(shard)}`;
export const audienceSk = (version: number, accountId: string): string => `${paddedVersion(version)}#${accountId}`;
/** Exclusive upper bound of GSI1 sort keys for versions strictly below `version`. */
export const audienceSkBelow = (version: number): string => `${paddedVersion(version)}#`;

export const evidenceByNoticePk = (noticeId: string, shard: number): string => `EVD#${noticeId}#${paddedShard(shard)}`;
export const evidenceByNoticeSk = (at: string, accountId: string): string => `${at}#${accountId}`;

/**
 * A campaign's recipient item (`functions/campaigns/dynamodb/keys.ts` builds on these): sharded like
 * the audience. Spelled here because its sent mark and kept SES outcomes are the account's
 * notification evidence too (`notification-evidence.ts`), read by the ledger's evidence queries.
 */
export const campaignRecipientPk = (campaignId: string, shard: number): string => `CMP#${campaignId}#R#${paddedShard(shard)}`;
export const campaignRecipientKey = (campaignId: string, accountId: string): { pk: string; sk: string } => ({
  pk: campaignRecipientPk(campaignId, shardOf(accountId)),
  sk: `ACCT#${accountId}`,
});

/**
 * A send call's item (one `SendBulkEmail` chunk of one attempt, all of one recipient shard): the
 * recipients handed to SES (`submitted`), then what SES accepted (`accepted`: account → message id
 * and instant), and beside it the call's delivery log (`<callId>#D`). A recipient its attempt left
 * `sending` takes its `sent` and `delivered` facts from them (`send-facts.ts`), so the sender writes
 * one item per call instead of one per recipient.
 */
export const campaignCallPk = (campaignId: string, shard: number): string => `CMP#${campaignId}#CALL#${paddedShard(shard)}`;
/** A call id: the attempt id and the chunk's number (tag-safe when the attempt id is). */
export const callIdOf = (attemptId: string, chunk: number): string => `${attemptId}_${String(chunk).padStart(3, '0')}`;
/** The sort-key prefix of every call (and delivery log) of one attempt. */
export const attemptCallsPrefix = (attemptId: string): string => `${attemptId}_`;
export const campaignCallKey = (campaignId: string, shard: number, callId: string): { pk: string; sk: string } => ({ pk: campaignCallPk(campaignId, shard), sk: callId });
export const DELIVERY_LOG_SUFFIX = '#D';
export const deliveryLogKey = (campaignId: string, shard: number, callId: string): { pk: string; sk: string } => ({
  pk: campaignCallPk(campaignId, shard),
  sk: `${callId}${DELIVERY_LOG_SUFFIX}`,
});
/** A delivery log's attribute of one account (its value: the delivery instant). */
export const DELIVERY_ATTRIBUTE_PREFIX = '@';

/** A campaign's own item (`CMP#<id>` / `META`): its deadline and each region's options, which an account's derived `notified` names (`notified.ts`). */
export const campaignMetaKey = (campaignId: string): { pk: string; sk: string } => ({ pk: `CMP#${campaignId}`, sk: 'META' });

/** The n-th choice evidence of an account for a campaign (n = 1, 2 …): written once, with attribute_not_exists. */
export const choiceEvidenceSk = (noticeId: string, campaignId: string, seq: number): string =>
  `EV#CHO#${noticeId}#${campaignId}#${String(seq).padStart(VERSION_DIGITS, '0')}`;

/**
 * Sort key of an evidence item. It is derived from the item's identity, not from a random id, so a
 * retried write lands on the same key and the conditional put makes it a no-op:
 * an acceptance is identified by its variant, a notification by its SES message and event,
 * a choice by its campaign and sequence number (each change is one item; the newest governs).
 */
export const evidenceSk = (noticeId: string, evidence: EvidenceRecord): string => {
  switch (evidence.kind) {
    case 'acceptance':
      return `EV#ACC#${noticeId}#${paddedVersion(evidence.version)}#${evidence.region}#${evidence.language}`;
    case 'notification':
      return `EV#NTF#${noticeId}#${evidence.campaignId}#${evidence.event}#${evidence.messageId}`;
    case 'choice':
      return choiceEvidenceSk(noticeId, evidence.campaignId, evidence.seq);
  }
};
