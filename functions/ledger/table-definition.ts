/**
 * The single definition of the ledger table (`LedgerTable`): the local engines, the tests and
 * the CDK construct all build from it, so the emulated table and the deployed one cannot drift.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** Name of GSI1: current states by notice, region and audience shard, sorted by accepted version. */
export const AUDIENCE_INDEX = 'audience';
/** Name of GSI2: evidence by notice and shard, sorted by time (the regulator export). */
export const EVIDENCE_BY_NOTICE_INDEX = 'evidence-by-notice';
/** Attribute DynamoDB's TTL deletes by (used by the campaign sender's attempt markers). */
export const TTL_ATTRIBUTE = 'ttl';

/** Attributes GSI1 projects besides the keys: exactly what an `AudienceMember` needs. */
export const AUDIENCE_PROJECTED_ATTRIBUTES = ['accountId', 'noticeId', 'region', 'language', 'acceptedVersion'] as const;

export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S';
}

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly projection: { readonly type: 'ALL' } | { readonly type: 'INCLUDE'; readonly nonKeyAttributes: readonly string[] };
}

/** Engine-neutral description; `createTableInput` renders it for the SDK, the CDK construct for CloudFormation. */
export const ledgerTableDefinition = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: TTL_ATTRIBUTE,
  globalSecondaryIndexes: [
    {
      indexName: AUDIENCE_INDEX,
      partitionKey: { name: 'gsi1pk', type: 'S' },
      sortKey: { name: 'gsi1sk', type: 'S' },
      projection: { type: 'INCLUDE', nonKeyAttributes: [...AUDIENCE_PROJECTED_ATTRIBUTES] },
    },
    {
      indexName: EVIDENCE_BY_NOTICE_INDEX,
      partitionKey: { name: 'gsi2pk', type: 'S' },
      sortKey: { name: 'gsi2sk', type: 'S' },
      // Evidence never holds an email address, so the export may read every attribute.
      projection: { type: 'ALL' },
    },
  ] satisfies readonly IndexDefinition[],
} as const;

/** The `CreateTable` input for a local engine or a test (on-demand billing, as deployed). */
export const createTableInput = (tableName: string): CreateTableCommandInput => {
  const keys = [
    ledgerTableDefinition.partitionKey,
    ledgerTableDefinition.sortKey,
    ...ledgerTableDefinition.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keys.map((key) => ({ AttributeName: key.name, AttributeType: key.type })),
    KeySchema: [
      { AttributeName: ledgerTableDefinition.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: ledgerTableDefinition.sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: ledgerTableDefinition.globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection:
        index.projection.type === 'ALL'
          ? { ProjectionType: 'ALL' }
          : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection.nonKeyAttributes] },
    })),
  };
};
