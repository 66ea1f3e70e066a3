import { ConditionalCheckFailedException, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { instantTimers } from '../../../functions/core/clock.ts';
import { DynamoDbAcceptanceStore, createDocumentClient } from '../../../functions/ledger/dynamodb-store.ts';
import type { AcceptanceRecord } from '../../../functions/ledger/types.ts';

const RECORD: AcceptanceRecord = {
  kind: 'acceptance',
  accountId: 'acct-1',
  noticeId: 'privacy',
  version: 2,
  region: 'eea',
  language: 'en',
  contentHash: 'a'.repeat(64),
  at: '2026-11-29T12:00:00.000Z',
  source: { channel: 'web' },
};

const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const throttled = () =>
  new DynamoDBServiceException({ name: 'ProvisionedThroughputExceededException', $fault: 'client', message: 'Rate exceeded', $metadata: {} });

describe('Class: DynamoDbAcceptanceStore (error paths, mocked client)', () => {
  const client = createDocumentClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const mock = mockClient(DynamoDBDocumentClient);
  const store = new DynamoDbAcceptanceStore({ tableName: 'Ledger', client });

  beforeEach(() => {
    mock.reset();
  });

  it('fails fast without a table name', () => {
    expect(() => new DynamoDbAcceptanceStore({ tableName: '' })).toThrow(TypeError);
  });

  describe('Method: appendAcceptance', () => {
    it('answers the stored record, not the new one, when the conditional put finds it already there', async () => {
      // Prepare
      const stored = { ...RECORD, at: '2026-11-01T00:00:00.000Z', pk: 'ACCT#acct-1', sk: 'EV#ACC#privacy#000002#eea#en', gsi2pk: 'x', gsi2sk: 'y' };
      mock.on(PutCommand).rejects(conditionFailed());
      mock.on(GetCommand).resolves({ Item: stored });

      // Act
      const outcome = await store.appendAcceptance(RECORD);

      // Assess
      expect(outcome).toEqual({ created: false, record: { ...RECORD, at: '2026-11-01T00:00:00.000Z' } });
      expect(mock).toHaveReceivedCommandWith(PutCommand, { ConditionExpression: 'attribute_not_exists(pk)' });
      expect(mock).toHaveReceivedCommandWith(GetCommand, { ConsistentRead: true });
    });

    it('lets throttling surface instead of pretending the write happened', async () => {
      mock.on(PutCommand).rejects(throttled());
      await expect(store.appendAcceptance(RECORD)).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    });
  });

  describe('Method: advanceState', () => {
    it('reports false when a newer acceptance already holds the state', async () => {
      mock.on(UpdateCommand).rejects(conditionFailed());
      expect(await store.advanceState(RECORD)).toBe(false);
    });

    it('writes the audience keys of the account shard with the version padded', async () => {
      mock.on(UpdateCommand).resolves({});
      expect(await store.advanceState(RECORD)).toBe(true);
      const input = mock.commandCalls(UpdateCommand)[0]!.args[0].input;
      expect(input.ExpressionAttributeValues?.[':gsi1sk']).toBe('000002#acct-1');
      expect(String(input.ExpressionAttributeValues?.[':gsi1pk'])).toMatch(/^AUD#privacy#eea#\d{2}$/);
    });

    it('rethrows anything that is not a condition failure', async () => {
      mock.on(UpdateCommand).rejects(throttled());
      await expect(store.advanceState(RECORD)).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    });
  });

  describe('Method: getContacts', () => {
    it('retries unprocessed keys until every contact is read', async () => {
      mock
        .on(BatchGetCommand)
        .resolvesOnce({
          Responses: { Ledger: [{ accountId: 'a', email: 'a@example.org' }] },
          UnprocessedKeys: { Ledger: { Keys: [{ pk: 'ACCT#b', sk: 'CONTACT' }] } },
        })
        .resolvesOnce({ Responses: { Ledger: [{ accountId: 'b', email: 'b@example.org' }] } });

      const contacts = await store.getContacts(['a', 'b', 'a']);

      expect([...contacts]).toEqual([
        ['a', 'a@example.org'],
        ['b', 'b@example.org'],
      ]);
      expect(mock).toHaveReceivedCommandTimes(BatchGetCommand, 2);
    });

    it('reads in batches of at most 100 keys', async () => {
      mock.on(BatchGetCommand).resolves({ Responses: { Ledger: [] } });
      await store.getContacts(Array.from({ length: 250 }, (_, i) => `acct-${i}`));
      const sizes = mock.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems?.['Ledger']?.Keys?.length);
      expect(sizes).toEqual([100, 100, 50]);
    });
  });

  describe('Method: getState', () => {
    const state = { pk: 'ACCT#acct-1', sk: 'STATE#privacy', accountId: 'acct-1', noticeId: 'privacy', acceptedVersion: 1, acceptedAt: '2026-04-01T00:00:00.000Z', contentHash: 'h', region: 'eea', language: 'en' };
    const versioned = new DynamoDbAcceptanceStore({ tableName: 'Ledger', client, campaignVersions: () => [{ noticeId: 'privacy', version: 1 }, { noticeId: 'privacy', version: 2 }] });
    const meta = (version: number) => ({ pk: `CMP#privacy-v${version}`, sk: 'META', deadline: `2027-0${version}-01T00:00:00.000Z`, regions: [{ region: 'eea', options: ['accept', 'delete'] }] });
    const sentTo = (version: number, extra: Record<string, unknown> = {}) => ({ pk: `CMP#privacy-v${version}#R#00`, sk: 'ACCT#acct-1', status: 'sent', sentAt: '2026-11-29T12:00:00.000Z', region: 'eea', ...extra });

    it('reads the state and every version campaign\'s recipient and campaign items in one consistent BatchGet, and derives notified from the newest sent', async () => {
      mock.on(BatchGetCommand).callsFake((input) => {
        const keys = input.RequestItems.Ledger.Keys as { pk: string; sk: string }[];
        const pk2 = keys.find((key) => key.pk.startsWith('CMP#privacy-v2#R#'))!.pk;
        const pk1 = keys.find((key) => key.pk.startsWith('CMP#privacy-v1#R#'))!.pk;
        return { Responses: { Ledger: [state, meta(1), meta(2), { ...sentTo(1), pk: pk1 }, { ...sentTo(2, { deadline: '2027-03-15T00:00:00.000Z' }), pk: pk2 }] } };
      });

      const read = await versioned.getState('acct-1', 'privacy');

      const calls = mock.commandCalls(BatchGetCommand);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.args[0].input.RequestItems!['Ledger']).toMatchObject({ ConsistentRead: true });
      expect(calls[0]!.args[0].input.RequestItems!['Ledger']!.Keys).toHaveLength(5);
      // A late enrolee's own deadline wins over the campaign's.
      expect(read?.notified).toEqual({ campaignId: 'privacy-v2', version: 2, deadline: '2027-03-15T00:00:00.000Z', options: ['accept', 'delete'], at: '2026-11-29T12:00:00.000Z' });
      expect(read).toMatchObject({ accountId: 'acct-1', acceptedVersion: 1 });
    });

    it('has no notified while no campaign sent the notice, and keeps one an earlier release stored on the state', async () => {
      const stored = { campaignId: 'privacy-v1', version: 1, deadline: '2026-01-01T00:00:00.000Z', options: ['accept'], at: '2025-11-01T00:00:00.000Z' };
      mock.on(BatchGetCommand).resolvesOnce({ Responses: { Ledger: [state, meta(2)] } }).resolvesOnce({ Responses: { Ledger: [{ ...state, notified: stored }, meta(2)] } });

      expect((await versioned.getState('acct-1', 'privacy'))?.notified).toBeUndefined();
      expect((await versioned.getState('acct-1', 'privacy'))?.notified).toEqual(stored);
    });

    it('reads the state item alone when notified is not wanted (the acceptance path)', async () => {
      mock.on(GetCommand).resolves({ Item: state });
      expect(await versioned.getState('acct-1', 'privacy', { notified: false })).toMatchObject({ accountId: 'acct-1', acceptedVersion: 1 });
      expect(mock.commandCalls(BatchGetCommand)).toHaveLength(0);
      expect(mock).toHaveReceivedCommandWith(GetCommand, { Key: { pk: 'ACCT#acct-1', sk: 'STATE#privacy' }, ConsistentRead: true });
    });

    it('is undefined without a state item', async () => {
      mock.on(BatchGetCommand).resolves({ Responses: { Ledger: [meta(2)] } });
      expect(await versioned.getState('acct-1', 'privacy')).toBeUndefined();
    });
  });

  describe('Method: recordChoice', () => {
    const choice = { campaignId: 'privacy-v2', version: 2, option: 'delete' as const, at: '2026-12-01T00:00:00.000Z', defaulted: false };

    it('answers the choice it replaced, for the counters', async () => {
      mock.on(UpdateCommand).resolves({ Attributes: { choice: { ...choice, option: 'accept' } } });
      expect(await store.recordChoice('acct-1', 'privacy', choice)).toEqual({ applied: true, replaced: { ...choice, option: 'accept' } });
      const input = mock.commandCalls(UpdateCommand)[0]!.args[0].input;
      expect(input.ConditionExpression).toBe(
        'attribute_exists(pk) AND (attribute_not_exists(#choice) OR #choice.campaignId <> :campaignId OR attribute_not_exists(#choice.#seq))',
      );
      expect(input.ReturnValues).toBe('UPDATED_OLD');
    });

    it('moves the state to seq n only from seq n - 1 of the same campaign, false when another writer got there', async () => {
      mock.on(UpdateCommand).rejects(conditionFailed());
      expect(await store.recordChoice('acct-1', 'privacy', { ...choice, seq: 3 })).toEqual({ applied: false });
      const input = mock.commandCalls(UpdateCommand)[0]!.args[0].input;
      expect(input.ConditionExpression).toBe('attribute_exists(pk) AND #choice.campaignId = :campaignId AND #choice.#seq = :previous');
      expect(input.ExpressionAttributeValues).toMatchObject({ ':previous': 2 });
    });
  });

  describe('Option: timers', () => {
    it('waits between retries of unprocessed keys on the injected timers', async () => {
      const timers = instantTimers(() => 0.5);
      const timed = new DynamoDbAcceptanceStore({ tableName: 'Ledger', client, timers });
      mock
        .on(BatchGetCommand)
        .resolvesOnce({ Responses: { Ledger: [] }, UnprocessedKeys: { Ledger: { Keys: [{ pk: 'ACCT#b', sk: 'CONTACT' }] } } })
        .resolvesOnce({ Responses: { Ledger: [{ accountId: 'b', email: 'b@example.org' }] } });

      expect([...(await timed.getContacts(['b']))]).toEqual([['b', 'b@example.org']]);
      expect(timers.slept).toEqual([25]);
    });
  });
});
