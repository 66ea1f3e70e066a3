/** Local wiring of the campaigns API Lambda: the real handler on the embedded engine, enqueuing into the shared in-process planner queue. */
import { makeHandler } from '../../functions/lambdas/campaigns-api.ts';
import { renderCampaignEmail } from '../../functions/campaigns/email.ts';
import { DynamoDbCampaignStore } from '../../functions/campaigns/dynamodb/campaign-store.ts';
import { contentIndex } from '../../functions/content/index-artifact.ts';
import { DynamoDbAcceptanceStore, createDocumentClient } from '../../functions/ledger/dynamodb-store.ts';
import type { LocalEnv, LocalWiring } from '../env.ts';
import { sharedCampaignQueues } from './workers.ts';

/** Build the campaigns API handler for the local platform. */
export const createLocal = async (env: LocalEnv): Promise<LocalWiring> => {
  const client = createDocumentClient({ endpoint: env.dynamo.endpoint, region: env.dynamo.region, credentials: env.dynamo.credentials });
  const handler = makeHandler({
    store: new DynamoDbCampaignStore({ tableName: env.tableName, client }),
    audience: new DynamoDbAcceptanceStore({ tableName: env.tableName, client }),
    plannerQueue: sharedCampaignQueues(env).planner,
    sendQueue: sharedCampaignQueues(env).send,
    content: contentIndex,
    renderEmail: renderCampaignEmail,
    publicBaseUrl: env.publicBaseUrl,
    clock: env.clock,
  });
  return { handler: handler, stop: async () => client.destroy() };
};
