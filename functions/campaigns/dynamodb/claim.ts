/**
 * The recipient claim: the conditional writes that give one send attempt a recipient, never two
 * live attempts at once and never after `sent`. Apart from `recipient-store.ts` because it is the
 * one place where the lease, the in-doubt grace and the attempt's marker meet.
 */
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../../ledger/dynamo-batch.ts';
import type { ClaimInput, ClaimOutcome } from '../model.ts';
import { shardOf } from '../../ledger/keys.ts';
import { type AttemptFacts, applySendFacts, loadAttemptFacts } from '../../ledger/send-facts.ts';
import { fieldsOf, recipientKey } from './keys.ts';

interface Table {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

type Item = Record<string, unknown>;

const notePlanned = async (table: Table, key: { pk: string; sk: string }): Promise<void> => {
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: key,
        UpdateExpression: 'SET planned = :true',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(planned)',
        ExpressionAttributeValues: { ':true': true },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
};

/**
 * Claim a recipient for one send attempt. A `sending` recipient whose lease expired is looked up
 * in its attempt's call items (`functions/ledger/send-facts.ts`): accepted by SES, it is sent
 * (done); handed to SES without an answer, it is in doubt and waits the grace, during which its
 * first SES event (a Delivery, Bounce …) settles it; never handed to SES, it is taken over at once.
 */
export const claimRecipient = async (table: Table, input: ClaimInput, getItem: (key: { pk: string; sk: string }) => Promise<Item | undefined>): Promise<ClaimOutcome> => {
  const f = fieldsOf(input.kind);
  const key = recipientKey(input.campaignId, input.accountId);
  const names: Record<string, string> = { '#status': f.status, '#attempt': f.attempt, '#lease': f.lease };
  const values: Record<string, unknown> = {
    ':sending': 'sending',
    ':attempt': input.attemptId,
    ':leaseUntil': input.now + input.leaseMs,
    ':claimedAt': new Date(input.now).toISOString(),
  };
  let update = 'SET #status = :sending, #attempt = :attempt, #lease = :leaseUntil, #claimedAt = :claimedAt';
  names['#claimedAt'] = f.claimedAt;
  if (input.kind === 'notice') {
    update += ', accountId = :accountId, campaignId = :campaignId, #region = :region, #language = :language';
    names['#region'] = 'region';
    names['#language'] = 'language';
    Object.assign(values, { ':accountId': input.accountId, ':campaignId': input.campaignId, ':region': input.region, ':language': input.language });
    if (input.planned) {
      update += ', planned = :true';
      values[':true'] = true;
    }
  }
  // A reminder only after its notice was sent: marked on the item, or (later) accepted in its attempt's call.
  let reminderGuard = '';
  if (input.kind === 'reminder') {
    reminderGuard = '#noticeStatus = :sent AND ';
    names['#noticeStatus'] = 'status';
    values[':sent'] = 'sent';
  }
  const attempt = async (condition: string, extra: Record<string, unknown>) => {
    try {
      const claimed = await table.client.send(
        new UpdateCommand({
          TableName: table.tableName,
          Key: key,
          UpdateExpression: update,
          ConditionExpression: reminderGuard + condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...values, ...extra },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const language = claimed.Attributes?.['language'];
      const deadline = claimed.Attributes?.['deadline'];
      return {
        kind: 'claimed' as const,
        ...(typeof language === 'string' ? { language } : {}),
        ...(typeof deadline === 'string' ? { deadline } : {}),
      };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return undefined;
    }
  };
  const FRESH = '(attribute_not_exists(#status) OR #status = :released)';
  const claimed = await attempt(FRESH, { ':released': 'released' });
  if (claimed) return claimed;
  const stored = await getItem(key);
  // What the item's attempts' calls say (one query per attempt still `sending`).
  const shard = shardOf(input.accountId);
  const facts = new Map<string, AttemptFacts>();
  for (const field of ['attempt', 'reminderAttempt'] as const) {
    const attemptId = stored?.[field];
    if (typeof attemptId === 'string' && !facts.has(attemptId)) facts.set(attemptId, await loadAttemptFacts(table, input.campaignId, shard, attemptId));
  }
  const current = stored && applySendFacts(stored, (attemptId) => facts.get(attemptId));
  if (input.kind === 'reminder') {
    if (current?.['status'] !== 'sent') return { kind: 'ineligible' };
    if (stored?.['status'] === 'sending') {
      // Its notice is sent by its call's item, not marked on its own: guard on that attempt instead.
      reminderGuard = '#noticeStatus = :sending AND #noticeAttempt = :noticeAttempt AND ';
      names['#noticeAttempt'] = 'attempt';
      values[':noticeAttempt'] = stored['attempt'];
      delete values[':sent'];
      const retried = await attempt(FRESH, { ':released': 'released' });
      if (retried) return retried;
    }
  }
  const status = current?.[f.status];
  if (status === 'sent' || status === 'failed') {
    // A late enrolee the late-enrolment step emailed first, which the planner had counted too: note it for the recount.
    if (input.planned && current?.['late'] === true && current['planned'] === undefined) await notePlanned(table, key);
    return { kind: 'done', status };
  }
  const previous = current?.[f.attempt];
  const lease = Number(current?.[f.lease]);
  if (status !== 'sending' || typeof previous !== 'string' || !(lease < input.now)) return { kind: 'busy' };
  // Handed to SES and never answered: in doubt until the grace after its lease has passed with no event.
  if (facts.get(previous)?.submitted.get(input.kind)?.has(input.accountId) && !(lease < input.now - input.inDoubtGraceMs)) return { kind: 'busy' };
  // Take over from exactly that attempt (it never called SES for this recipient, or the grace passed).
  return (await attempt('#status = :sending AND #attempt = :previous AND #lease < :now', { ':previous': previous, ':now': input.now })) ?? { kind: 'busy' };
};
