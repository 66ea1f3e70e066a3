/** Campaign test fixtures on the real engines: accounts seeded through the ledger's key design, SES's store read back. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchPutAll } from '../../functions/ledger/dynamo-batch.ts';
import { accountPk, audiencePk, audienceSk, CONTACT_SK, shardOf, stateSk } from '../../functions/ledger/keys.ts';
import type { SesEndpoint } from '../../local/ses-endpoint.ts';
import { DynamoDbCampaignStore } from '../../functions/campaigns/dynamodb/campaign-store.ts';
import { DynamoDbRecipientStore } from '../../functions/campaigns/dynamodb/recipient-store.ts';
import type { Campaign } from '../../functions/campaigns/model.ts';
import { CHOICE_OPTION_IDS } from '../../functions/core/choice-options.ts';
import type { DynamoDbAcceptanceStore } from '../../functions/ledger/dynamodb-store.ts';
import type { AccountEvidence } from '../../functions/ledger/types.ts';
import { campaignOf } from '../unit/campaigns/campaign-fixture.ts';

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

/** The choice campaign of the choice tests: privacy v2, every option, in the EEA. */
export const eeaChoiceCampaign: Campaign = campaignOf({ regions: [{ region: 'eea', notification: 'choice', options: CHOICE_OPTION_IDS }] });

/**
 * The campaign created and `accounts` emailed by it: each accepted version 1 in the EEA and is a
 * recipient whose notice was sent (what the choice page needs before a customer can answer).
 */
export const seedEmailedRecipients = async (
  table: { tableName: string; documentClient: DynamoDBDocumentClient; store: DynamoDbAcceptanceStore },
  campaign: Campaign,
  accounts: readonly string[],
): Promise<{ campaigns: DynamoDbCampaignStore; recipients: DynamoDbRecipientStore }> => {
  const client = table.documentClient;
  const campaigns = new DynamoDbCampaignStore({ tableName: table.tableName, client });
  const recipients = new DynamoDbRecipientStore({ tableName: table.tableName, client });
  await campaigns.createCampaign(campaign);
  for (const accountId of accounts) {
    await table.store.advanceState({
      kind: 'acceptance', accountId, noticeId: 'privacy', version: 1, region: 'eea', language: 'en',
      contentHash: 'a'.repeat(64), at: '2026-04-01T00:00:00.000Z', source: { channel: 'api' },
    });
    await recipients.claimRecipient({ campaignId: campaign.campaignId, accountId, kind: 'notice', attemptId: 'a1', region: 'eea', language: 'en', now: 0, leaseMs: 1, inDoubtGraceMs: 0 });
    await recipients.markSent(campaign.campaignId, accountId, 'notice', 'a1', `m-${accountId}`, '2026-11-02T00:00:00.000Z');
  }
  return { campaigns, recipients };
};

/** The choice evidence of `accounts`, read as the ledger reads it (each account's items, oldest first). */
export const choiceEvidenceOf = async (store: DynamoDbAcceptanceStore, accounts: readonly string[]): Promise<Extract<AccountEvidence, { kind: 'choice' }>[]> =>
  (await Promise.all(accounts.map((accountId) => store.listAccountEvidence(accountId, { kind: 'choice' }))))
    .flat()
    .filter((item): item is Extract<AccountEvidence, { kind: 'choice' }> => item.kind === 'choice');
