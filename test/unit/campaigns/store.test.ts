import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CampaignStore, recipientKey } from '../../../functions/campaigns/store.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const store = new CampaignStore({ tableName: 't', client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })) });
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'no', $metadata: {} });
const claim = (kind: 'notice' | 'reminder' = 'notice') =>
  store.claimRecipient({ campaignId: 'privacy-v2', accountId: 'a1', kind, attemptId: 'att', region: 'eea', language: 'en', now: 10_000, leaseMs: 1000, inDoubtGraceMs: 5000 });

describe('Class: CampaignStore', () => {
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

  describe('Method: advancePlan', () => {
    it('checkpoints the cursor and adds the page to the audience in one conditional write', async () => {
      ddb.on(UpdateCommand).resolves({});
      expect(await store.advancePlan('privacy-v2', 'eea', 3, 2, { cursor: 'c3', audience: 400 })).toBe(true);
      const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
      expect(input.Key).toEqual({ pk: 'CMP#privacy-v2', sk: 'PLAN#eea#03' });
      expect(input.ConditionExpression).toBe('#page = :from');
      expect(input.UpdateExpression).toContain('ADD audience :n');
    });

    it('keeps the accounts carried to the next page in the same write, and drops them with the cursor on the last page', async () => {
      ddb.on(UpdateCommand).resolves({});
      await store.advancePlan('privacy-v2', 'eea', 3, 2, { cursor: 'c3', audience: 400, carry: { de: ['a1', 'a2'] } });
      await store.advancePlan('privacy-v2', 'eea', 3, 3, { audience: 7 });
      const [middle, last] = ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
      expect(middle!.UpdateExpression).toContain('#carry = :carry');
      expect(middle!.ExpressionAttributeValues![':carry']).toEqual({ de: ['a1', 'a2'] });
      expect(last!.UpdateExpression).toMatch(/REMOVE #cursor, #carry$/);
    });

    it('is false when another planner already checkpointed that page (the count is not added twice)', async () => {
      ddb.on(UpdateCommand).rejects(conditionFailed());
      expect(await store.advancePlan('privacy-v2', 'eea', 3, 0, { audience: 10 })).toBe(false);
    });
  });

  describe('Method: recordSesEvents', () => {
    const event = (e: string, accountId = 'a1') => ({ campaignId: 'privacy-v2', accountId, event: e, messageId: 'm1', at: '2026-11-29T12:00:00Z', kind: 'notice' as const });

    it('ignores event types it does not track', async () => {
      expect(await store.recordSesEvents([event('Open')])).toEqual([false]);
      expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    });

    it('counts a delivery once: a redelivered event fails the condition and adds nothing', async () => {
      ddb.on(UpdateCommand).rejectsOnce(conditionFailed());
      expect(await store.recordSesEvents([event('Delivery')])).toEqual([false]);
      expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
    });

    it('reads the recipients of Send events in one BatchGet and writes none the sender already marked sent', async () => {
      ddb.on(BatchGetCommand).resolves({ Responses: { t: [{ ...recipientKey('privacy-v2', 'a1'), status: 'sent' }, { ...recipientKey('privacy-v2', 'a2'), status: 'sent' }] } });
      expect(await store.recordSesEvents([event('Send'), event('Send', 'a2')])).toEqual([false, false]);
      expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(1);
      expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    });

    it('gives a live attempt time to mark its own send, and writes nothing when it does', async () => {
      const sending = { ...recipientKey('privacy-v2', 'a1'), status: 'sending', leaseUntil: Date.now() + 60_000 };
      ddb.on(BatchGetCommand).resolvesOnce({ Responses: { t: [sending] } }).resolvesOnce({ Responses: { t: [sending] } }).resolves({ Responses: { t: [{ ...sending, status: 'sent' }] } });
      const waits: number[] = [];

      expect(await store.recordSesEvents([event('Send')], { awaitLiveAttemptsMs: 3000, sleep: async (ms) => void waits.push(ms) })).toEqual([false]);

      expect(waits).toEqual([500, 500]);
      expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    });

    it('settles a Send itself once the wait is over and the attempt still has not marked it', async () => {
      const sending = { ...recipientKey('privacy-v2', 'a1'), status: 'sending', leaseUntil: Date.now() + 60_000, region: 'eea' };
      ddb.on(BatchGetCommand).resolves({ Responses: { t: [sending] } });
      ddb.on(UpdateCommand).resolves({});
      ddb.on(GetCommand).resolves({});
      const waits: number[] = [];

      expect(await store.recordSesEvents([event('Send')], { awaitLiveAttemptsMs: 1200, sleep: async (ms) => void waits.push(ms) })).toEqual([true]);

      expect(waits).toEqual([500, 500, 200]);
      const transition = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
      expect(transition.ConditionExpression).toBe('#status = :sending');
    });

    it('adds the counts of a whole batch in one write per campaign', async () => {
      ddb.on(UpdateCommand).resolves({});
      expect(await store.recordSesEvents([event('Delivery'), event('Delivery', 'a2'), event('Bounce', 'a3')])).toEqual([true, true, true]);
      const counterWrites = ddb.commandCalls(UpdateCommand).filter((call) => String(call.args[0].input.Key!['sk']).startsWith('CNT#'));
      expect(counterWrites).toHaveLength(1);
      expect(counterWrites[0]!.args[0].input.ExpressionAttributeValues).toEqual({ ':c0': 2, ':c1': 1 });
    });
  });
});
