import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { recipientKey } from '../../../../functions/campaigns/dynamodb/keys.ts';
import { DynamoDbRecipientStore } from '../../../../functions/campaigns/dynamodb/recipient-store.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const store = new DynamoDbRecipientStore({ tableName: 't', client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })) });
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'no', $metadata: {} });
const claim = (kind: 'notice' | 'reminder' = 'notice') =>
  store.claimRecipient({ campaignId: 'privacy-v2', accountId: 'a1', kind, attemptId: 'att', region: 'eea', language: 'en', now: 10_000, leaseMs: 1000, inDoubtGraceMs: 5000 });

describe('Class: DynamoDbRecipientStore', () => {
  beforeEach(() => ddb.reset());

  describe('Method: claimRecipient', () => {
    it('claims with a lease; a first try takes only a new, released or past-the-grace recipient', async () => {
      ddb.on(UpdateCommand).resolves({ Attributes: { language: 'en' } });

      expect(await claim()).toEqual({ kind: 'claimed', language: 'en' });

      const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
      expect(input.Key).toEqual(recipientKey('privacy-v2', 'a1'));
      expect(input.ConditionExpression).toBe('(attribute_not_exists(#status) OR #status = :released OR (#status = :sending AND #lease < :staleBefore))');
      expect(input.ExpressionAttributeValues).toMatchObject({ ':leaseUntil': 11_000, ':staleBefore': 5000 });
    });

    it('takes over an expired attempt that never handed this recipient to SES, from exactly that attempt', async () => {
      ddb.on(UpdateCommand).rejectsOnce(conditionFailed()).resolves({ Attributes: {} });
      ddb.on(GetCommand, { Key: recipientKey('privacy-v2', 'a1') }).resolves({ Item: { status: 'sending', attempt: 'old', leaseUntil: 9_000 } });
      ddb.on(GetCommand, { Key: { pk: 'CMP#privacy-v2#ATT', sk: 'old' } }).resolves({ Item: { submitted: new Set(['a2']) } });

      expect(await claim()).toEqual({ kind: 'claimed' });

      const takeover = ddb.commandCalls(UpdateCommand)[1]!.args[0].input;
      expect(takeover.ConditionExpression).toBe('#status = :sending AND #attempt = :previous AND #lease < :now');
      expect(takeover.ExpressionAttributeValues).toMatchObject({ ':previous': 'old', ':now': 10_000, ':attempt': 'att' });
    });

    it('leaves an expired attempt that did hand this recipient to SES in doubt (busy) until the grace passes', async () => {
      ddb.on(UpdateCommand).rejects(conditionFailed());
      ddb.on(GetCommand, { Key: recipientKey('privacy-v2', 'a1') }).resolves({ Item: { status: 'sending', attempt: 'old', leaseUntil: 9_000 } });
      ddb.on(GetCommand, { Key: { pk: 'CMP#privacy-v2#ATT', sk: 'old' } }).resolves({ Item: { submitted: new Set(['a1']) } });

      expect(await claim()).toEqual({ kind: 'busy' });
      expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
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
