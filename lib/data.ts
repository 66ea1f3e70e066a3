/**
 * The platform's data: the customer-managed key, the ledger table (its shape from
 * `functions/ledger/table-definition.ts`) and the choice-token secret. All retained, all pinned.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ledgerTableDefinition } from '../functions/ledger/table-definition.ts';
import { STATEFUL_LOGICAL_IDS, pinLogicalId } from './construct-ids.ts';
import { acknowledge } from './nag.ts';

/** What `buildData` creates. */
export interface PlatformData {
  /** Customer-managed key of the table and the choice-token secret. */
  readonly dataKey: kms.Key;
  /** The ledger table (acceptances, state, contacts, campaigns). */
  readonly table: dynamodb.Table;
  /** HMAC key of the choice tokens. */
  readonly tokenSecret: secretsmanager.Secret;
}

const createTable = (scope: Construct, dataKey: kms.Key): dynamodb.Table => {
  const definition = ledgerTableDefinition;
  const table = new dynamodb.Table(scope, 'LedgerTable', {
    partitionKey: { name: definition.partitionKey.name, type: dynamodb.AttributeType.STRING },
    sortKey: { name: definition.sortKey.name, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: dataKey,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    timeToLiveAttribute: definition.timeToLiveAttribute,
  });
  for (const index of definition.globalSecondaryIndexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: { name: index.partitionKey.name, type: dynamodb.AttributeType.STRING },
      sortKey: { name: index.sortKey.name, type: dynamodb.AttributeType.STRING },
      ...(index.projection.type === 'ALL'
        ? { projectionType: dynamodb.ProjectionType.ALL }
        : { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...index.projection.nonKeyAttributes] }),
    });
  }
  pinLogicalId(table, STATEFUL_LOGICAL_IDS.table);
  return table;
};

/** Creates the key, the table and the secret in `scope` (the `DisclosurePlatform`). */
export const buildData = (scope: Construct): PlatformData => {
  const dataKey = new kms.Key(scope, 'DataKey', {
    description: 'Disclosure: ledger table and choice-token secret',
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  pinLogicalId(dataKey, STATEFUL_LOGICAL_IDS.dataKey);

  const table = createTable(scope, dataKey);
  const tokenSecret = new secretsmanager.Secret(scope, 'ChoiceTokenSecret', {
    description: 'Disclosure: HMAC key of the choice tokens (see docs/runbook.md before rotating)',
    encryptionKey: dataKey,
    generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    removalPolicy: RemovalPolicy.RETAIN,
  });
  pinLogicalId(tokenSecret, STATEFUL_LOGICAL_IDS.tokenSecret);
  acknowledge(tokenSecret, 'AwsSolutions-SMG4',
    'Two-key rotation is manual (put-secret-value; links are verified against AWSCURRENT and AWSPREVIOUS), and a second rotation before the last deadline would break links: an automatic schedule cannot know the deadlines (docs/runbook.md, "Key rotation").');
  return { dataKey, table, tokenSecret };
};
