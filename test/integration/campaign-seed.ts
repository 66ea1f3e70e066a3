/** Campaign test fixtures on the real engines: accounts seeded through the ledger's key design, SES's store read back. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchPutAll } from '../../functions/ledger/dynamo-batch.ts';
import { accountPk, audiencePk, audienceSk, CONTACT_SK, shardOf, stateSk } from '../../functions/ledger/keys.ts';
import type { SesEndpoint } from '../../local/ses-endpoint.ts';

export interface SeededAccount {
  readonly accountId: string;
  readonly region: string;
  readonly language: string;
  readonly version: number;
  readonly email?: string;
}

/** Seed state and contact items through the ledger's own key design. */
export const seedAccounts = async (client: DynamoDBDocumentClient, tableName: string, accounts: readonly SeededAccount[]): Promise<void> => {
  const items = accounts.flatMap((account) => [
    {
      pk: accountPk(account.accountId),
      sk: stateSk('privacy'),
      accountId: account.accountId,
      noticeId: 'privacy',
      acceptedVersion: account.version,
      acceptedAt: '2026-06-01T00:00:00.000Z',
      contentHash: '0'.repeat(64),
      region: account.region,
      language: account.language,
      gsi1pk: audiencePk('privacy', account.region, shardOf(account.accountId)),
      gsi1sk: audienceSk(account.version, account.accountId),
    },
    ...(account.email ? [{ pk: accountPk(account.accountId), sk: CONTACT_SK, accountId: account.accountId, email: account.email, updatedAt: '2026-06-01T00:00:00.000Z' }] : []),
  ]);
  await batchPutAll(client, tableName, items, 'seed items');
};

/** Emails per recipient address in the local SES endpoint's store. */
export const emailsByRecipient = async (ses: Pick<SesEndpoint, 'endpoint'>): Promise<Map<string, number>> => {
  const store = (await (await fetch(`${ses.endpoint}/store`)).json()) as { emails: { destination: { to: string[] } }[] };
  const counts = new Map<string, number>();
  for (const email of store.emails) for (const to of email.destination.to) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
};
