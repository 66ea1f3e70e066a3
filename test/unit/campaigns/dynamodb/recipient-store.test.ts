import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { campaignCallKey, recipientKey } from '../../../../functions/campaigns/dynamodb/keys.ts';
import { shardOf } from '../../../../functions/ledger/keys.ts';
import { DynamoDbRecipientStore } from '../../../../functions/campaigns/dynamodb/recipient-store.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const store = new DynamoDbRecipientStore({ tableName: 't', client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })) });
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'no', $metadata: {} });
const claim = (kind: 'notice' | 'reminder' = 'notice') =>
  store.claimRecipient({ campaignId: 'privacy-v2', accountId: 'a1', kind, attemptId: 'att', region: 'eea', language: 'en', now: 10_000, leaseMs: 1000, inDoubtGraceMs: 5000 });

describe('Class: DynamoDbRecipientStore', () => {
  beforeEach(() => ddb.reset());

  describe('Method: claimRecipient', () => {
    it('claims with a lease; a first try takes only a new or released recipient', async () => {
      ddb.on(UpdateCommand).resolves({ Attributes: { language: 'en' } });

      expect(await claim()).toEqual({ kind: 'claimed', language: 'en' });

      const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
      expect(input.Key).toEqual(recipientKey('privacy-v2', 'a1'));
      expect(input.ConditionExpression).toBe('(attribute_not_exists(#status) OR #status = :released)');
      expect(input.ExpressionAttributeValues).toMatchObject({ ':leaseUntil': 11_000 });
    });

    it('takes over an expired attempt that never handed this recipient to SES, from exactly that attempt', async () => {
      ddb.on(UpdateCommand).rejectsOnce(conditionFailed()).resolves({ Attributes: {} });
      ddb.on(GetCommand, { Key: recipientKey('privacy-v2', 'a1') }).resolves({ Item: { status: 'sending', attempt: 'old', leaseUntil: 9_000 } });
      ddb.on(QueryCommand).resolves({ Items: [{ pk: 'p', sk: 'old_000', kind: 'notice', submitted: new Set(['a2']), accepted: { a3: { m: 'm3', t: 'T' } } }] });

      expect(await claim()).toEqual({ kind: 'claimed' });
      // The attempt's call items, in the recipient's shard.
      expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input.ExpressionAttributeValues).toEqual({ ':pk': campaignCallKey('privacy-v2', shardOf('a1'), 'x').pk, ':prefix': 'old_' });

      const takeover = ddb.commandCalls(UpdateCommand)[1]!.args[0].input;
      expect(takeover.ConditionExpression).toBe('#status = :sending AND #attempt = :previous AND #lease < :now');
      expect(takeover.ExpressionAttributeValues).toMatchObject({ ':previous': 'old', ':now': 10_000, ':attempt': 'att' });
    });

    it('leaves an expired attempt that did hand this recipient to SES in doubt (busy) until the grace passes', async () => {
      ddb.on(UpdateCommand).rejects(conditionFailed());
      ddb.on(GetCommand, { Key: recipientKey('privacy-v2', 'a1') }).resolves({ Item: { status: 'sending', attempt: 'old', leaseUntil: 9_000 } });
      ddb.on(QueryCommand).resolves({ Items: [{ pk: 'p', sk: 'old_001', kind: 'notice', submitted: new Set(['a1']) }] });

      expect(await claim()).toEqual({ kind: 'busy' });
      expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
    });

    it('takes over an attempt still in doubt once the grace after its lease has passed', async () => {
      ddb.on(UpdateCommand).rejectsOnce(conditionFailed()).resolves({ Attributes: {} });
      ddb.on(GetCommand).resolves({ Item: { status: 'sending', attempt: 'old', leaseUntil: 4_000 } });
      ddb.on(QueryCommand).resolves({ Items: [{ pk: 'p', sk: 'old_001', kind: 'notice', submitted: new Set(['a1']) }] });

      expect(await claim()).toEqual({ kind: 'claimed' });
      expect(ddb.commandCalls(UpdateCommand)[1]!.args[0].input.ConditionExpression).toBe('#status = :sending AND #attempt = :previous AND #lease < :now');
    });

    it('a recipient its expired attempt\'s call says SES accepted is sent (done), never taken over, whatever the grace', async () => {
      ddb.on(UpdateCommand).rejects(conditionFailed());
      ddb.on(GetCommand).resolves({ Item: { sk: 'ACCT#a1', status: 'sending', attempt: 'old', leaseUntil: 1 } });
      // `old_1_000` belongs to attempt `old_1`, not `old`: only `old_002` counts.
      ddb.on(QueryCommand).resolves({ Items: [{ pk: 'p', sk: 'old_1_000', kind: 'notice', submitted: new Set(['a1']) }, { pk: 'p', sk: 'old_002', kind: 'notice', accepted: { a1: { m: 'm1', t: 'T' } } }] });

      expect(await claim()).toEqual({ kind: 'done', status: 'sent' });
      expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
    });

    it('a reminder for a notice its call recorded is claimed on that attempt', async () => {
      ddb.on(UpdateCommand).rejectsOnce(conditionFailed()).resolves({ Attributes: {} });
      ddb.on(GetCommand).resolves({ Item: { sk: 'ACCT#a1', status: 'sending', attempt: 'old', leaseUntil: 1 } });
      ddb.on(QueryCommand).resolves({ Items: [{ pk: 'p', sk: 'old_000', kind: 'notice', accepted: { a1: { m: 'm1', t: 'T' } } }] });

      expect(await claim('reminder')).toEqual({ kind: 'claimed' });
      const retried = ddb.commandCalls(UpdateCommand)[1]!.args[0].input;
      expect(retried.ConditionExpression).toBe('#noticeStatus = :sending AND #noticeAttempt = :noticeAttempt AND (attribute_not_exists(#status) OR #status = :released)');
      expect(retried.ExpressionAttributeValues).toMatchObject({ ':noticeAttempt': 'old' });
    });

    it.each([
      [{ status: 'sent' }, { kind: 'done', status: 'sent' }],
      [{ status: 'failed' }, { kind: 'done', status: 'failed' }],
      [{ status: 'sending', leaseUntil: 99_999 }, { kind: 'busy' }],
    ])('on a conditional failure reads the item: %o → %o', async (item, outcome) => {
      ddb.on(UpdateCommand).rejects(conditionFailed());
      ddb.on(GetCommand).resolves({ Item: item });
      expect(await claim()).toEqual(outcome);
    });

    it('a reminder for an account whose notice was never sent is ineligible', async () => {
      ddb.on(UpdateCommand).rejects(conditionFailed());
      ddb.on(GetCommand).resolves({ Item: { status: 'failed' } });
      expect(await claim('reminder')).toEqual({ kind: 'ineligible' });
    });
  });

  describe('Method: markSent', () => {
    it('is false (nothing to count) when the SES event or another attempt got there first', async () => {
      ddb.on(UpdateCommand).rejects(conditionFailed());
      expect(await store.markSent('privacy-v2', 'a1', 'notice', 'att', 'm1', '2026-11-29T12:00:00Z')).toBe(false);
    });

    it('passes other errors through', async () => {
      ddb.on(UpdateCommand).rejects(new Error('InternalServerError'));
      await expect(store.markSent('privacy-v2', 'a1', 'notice', 'att', 'm1', '2026-11-29T12:00:00Z')).rejects.toThrow('InternalServerError');
    });
  });
});
