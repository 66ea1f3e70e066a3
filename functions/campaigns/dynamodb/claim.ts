/**
 * The recipient claim: the conditional writes that give one send attempt a recipient, never two
 * live attempts at once and never after `sent`. Apart from `recipient-store.ts` because it is the
 * one place where the lease, the in-doubt grace and the attempt's marker meet.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../../ledger/dynamo-batch.ts';
import type { ClaimInput, ClaimOutcome } from '../model.ts';
import { attemptKey, fieldsOf, recipientKey } from './keys.ts';

interface Table {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

type Item = Record<string, unknown>;

const wasSubmitted = async (table: Table, campaignId: string, attemptId: string, accountId: string): Promise<boolean> => {
  const result = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: attemptKey(campaignId, attemptId),
      ConsistentRead: true,
      ProjectionExpression: '#submitted',
      ExpressionAttributeNames: { '#submitted': 'submitted' },
    }),
  );
  const submitted = result.Item?.['submitted'];
  return submitted instanceof Set && submitted.has(accountId);
};

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
 * Claim a recipient for one send attempt. A `sending` recipient whose lease expired is taken over
 * at once only when its attempt never reached SES for it (the attempt's marker says so); one that
 * did is in doubt and waits the grace, during which its first SES event (a Delivery, Bounce …) settles it.
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
  const reminderGuard = input.kind === 'reminder' ? '#noticeStatus = :sent AND ' : '';
  if (input.kind === 'reminder') {
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
  const claimed = await attempt('(attribute_not_exists(#status) OR #status = :released OR (#status = :sending AND #lease < :staleBefore))', {
    ':released': 'released',
    ':staleBefore': input.now - input.inDoubtGraceMs,
  });
  if (claimed) return claimed;
  const current = await getItem(key);
  if (input.kind === 'reminder' && current?.['status'] !== 'sent') return { kind: 'ineligible' };
  const status = current?.[f.status];
  if (status === 'sent' || status === 'failed') {
    // A late enrolee the late-enrolment step emailed first, which the planner had counted too: note it for the recount.
    if (input.planned && current?.['late'] === true && current['planned'] === undefined) await notePlanned(table, key);
    return { kind: 'done', status };
  }
  const previous = current?.[f.attempt];
  if (status !== 'sending' || typeof previous !== 'string' || !(Number(current?.[f.lease]) < input.now)) return { kind: 'busy' };
  if (await wasSubmitted(table, input.campaignId, previous, input.accountId)) return { kind: 'busy' };
  // The expired attempt never called SES for this recipient: take over from exactly that attempt.
  return (await attempt('#status = :sending AND #attempt = :previous AND #lease < :now', { ':previous': previous, ':now': input.now })) ?? { kind: 'busy' };
};
