/**
 * Every write of an account's state item (`ACCT#<id>` / `STATE#<noticeId>`): the acceptance that
 * moves it forward and the `choice` (its `notified` is derived on read, `notified.ts`). One module owns the item, so
 * its conditions sit side by side; `DynamoDbAcceptanceStore` delegates here.
 */
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from './dynamo-batch.ts';
import { accountPk, audiencePk, audienceSk, shardOf, stateSk } from './keys.ts';
import { eventTime, type AcceptanceRecord, type ChoiceWrite, type RecordedChoice } from './types.ts';

interface Table {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** Run a conditional update: true when it applied, false when its condition did not hold. */
const conditionally = async (table: Table, command: UpdateCommand): Promise<boolean> => {
  try {
    await table.client.send(command);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
};

/** Move the state forward to this acceptance unless a newer one is already there. */
export const advanceState = async (table: Table, record: AcceptanceRecord): Promise<boolean> =>
  conditionally(
    table,
    new UpdateCommand({
      TableName: table.tableName,
      Key: { pk: accountPk(record.accountId), sk: stateSk(record.noticeId) },
      UpdateExpression:
        'SET #accountId = :accountId, #noticeId = :noticeId, #acceptedVersion = :version, #acceptedAt = :at, ' +
        '#contentHash = :hash, #region = :region, #language = :language, #gsi1pk = :gsi1pk, #gsi1sk = :gsi1sk',
      // Newer version wins; for the same version the later instant wins, so concurrent writers converge.
      ConditionExpression:
        'attribute_not_exists(#acceptedVersion) OR #acceptedVersion < :version OR (#acceptedVersion = :version AND #acceptedAt < :at)',
      ExpressionAttributeNames: {
        '#accountId': 'accountId',
        '#noticeId': 'noticeId',
        '#acceptedVersion': 'acceptedVersion',
        '#acceptedAt': 'acceptedAt',
        '#contentHash': 'contentHash',
        '#region': 'region',
        '#language': 'language',
        '#gsi1pk': 'gsi1pk',
        '#gsi1sk': 'gsi1sk',
      },
      ExpressionAttributeValues: {
        ':accountId': record.accountId,
        ':noticeId': record.noticeId,
        ':version': record.version,
        // An imported acceptance counts from when the customer accepted, so an older import never moves a live one back.
        ':at': eventTime(record),
        ':hash': record.contentHash,
        ':region': record.region,
        ':language': record.language,
        ':gsi1pk': audiencePk(record.noticeId, record.region, shardOf(record.accountId)),
        ':gsi1sk': audienceSk(record.version, record.accountId),
      },
    }),
  );

/**
 * Move `choice` to choice evidence `seq`, answering the choice it replaced (so the counters move
 * by what changed). Only from `seq - 1` of the same campaign (or, for `seq` 1, from no choice of
 * it), so concurrent writers serialise on the sequence and the state equals the newest evidence.
 */
export const recordChoice = async (table: Table, accountId: string, noticeId: string, choice: RecordedChoice): Promise<ChoiceWrite> => {
  const seq = choice.seq ?? 1;
  const condition =
    seq === 1
      ? 'attribute_exists(pk) AND (attribute_not_exists(#choice) OR #choice.campaignId <> :campaignId OR attribute_not_exists(#choice.#seq))'
      : 'attribute_exists(pk) AND #choice.campaignId = :campaignId AND #choice.#seq = :previous';
  try {
    const result = await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { pk: accountPk(accountId), sk: stateSk(noticeId) },
        UpdateExpression: 'SET #choice = :choice',
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#choice': 'choice', '#seq': 'seq' },
        ExpressionAttributeValues: { ':choice': { ...choice, seq }, ':campaignId': choice.campaignId, ...(seq === 1 ? {} : { ':previous': seq - 1 }) },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    const replaced = result.Attributes?.['choice'] as RecordedChoice | undefined;
    return replaced ? { applied: true, replaced } : { applied: true };
  } catch (error) {
    if (isConditionFailure(error)) return { applied: false };
    throw error;
  }
};
