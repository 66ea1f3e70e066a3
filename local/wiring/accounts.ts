/** Local wiring of the accounts Lambda: the real handler, the ledger store on the embedded engine, the platform's clock. */
import { Logger } from '@aws-lambda-powertools/logger';
import { createDocumentClient, DynamoDbAcceptanceStore } from '../../functions/ledger/dynamodb-store.ts';
import { makeHandler } from '../../functions/lambdas/accounts.ts';
import { publishedContent } from '../../functions/ledger/published-content.ts';
import { DynamoDbCampaignStore } from '../../functions/campaigns/dynamodb/campaign-store.ts';
import { DynamoDbLateMarkerStore } from '../../functions/campaigns/dynamodb/late-store.ts';
import { noteAffected } from '../../functions/campaigns/late-enrolment.ts';
import { contentIndex } from '../../functions/content/index-artifact.ts';
import type { LocalEnv, LocalWiring } from '../env.ts';

/** Build the accounts handler for the local platform. */
export const createLocal = async (env: LocalEnv): Promise<LocalWiring> => {
  const client = createDocumentClient({ endpoint: env.dynamo.endpoint, region: env.dynamo.region, credentials: env.dynamo.credentials });
  const store = new DynamoDbAcceptanceStore({ tableName: env.tableName, client });
  const late = {
    content: contentIndex,
    campaigns: new DynamoDbCampaignStore({ tableName: env.tableName, client }),
    late: new DynamoDbLateMarkerStore({ tableName: env.tableName, client }),
    ledger: store,
  };
  const handler = makeHandler({
    store,
    noteAffected: (accountId, noticeIds, at) => noteAffected(late, accountId, noticeIds, at),
    content: publishedContent,
    clock: env.clock,
    logger: new Logger({ serviceName: 'accounts', logLevel: 'WARN' }),
  });
  return { handler: handler, stop: async () => client.destroy() };
};
