/** Local wiring of the campaigns API Lambda: the real handler on the embedded engine, enqueuing into the shared in-process planner queue. */
import { makeHandler } from '../../functions/lambdas/campaigns-api.ts';
import { renderCampaignEmail } from '../../functions/campaigns/email.ts';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDbCampaignStore } from '../../functions/campaigns/dynamodb/campaign-store.ts';
import { DynamoDbRecipientStore } from '../../functions/campaigns/dynamodb/recipient-store.ts';
import { SesV2AccountReader } from '../../functions/campaigns/ses-account.ts';
import { checkSesReadiness } from '../../functions/campaigns/ses-readiness.ts';
import { contentIndex } from '../../functions/content/index-artifact.ts';
import { DynamoDbAcceptanceStore, createDocumentClient } from '../../functions/ledger/dynamodb-store.ts';
import type { LocalEnv, LocalWiring } from '../env.ts';
import { LOCAL_SENDER_IDENTITY, localSesClientConfig, sharedCampaignQueues } from './workers.ts';

/** Build the campaigns API handler for the local platform. */
export const createLocal = async (env: LocalEnv): Promise<LocalWiring> => {
  const client = createDocumentClient({ endpoint: env.dynamo.endpoint, region: env.dynamo.region, credentials: env.dynamo.credentials });
  const store = new DynamoDbCampaignStore({ tableName: env.tableName, client });
  const ses = new SESv2Client(localSesClientConfig(env.sesEndpoint));
  const reader = new SesV2AccountReader(ses);
  const handler = makeHandler({
    store,
    retry: { campaigns: store, recipients: new DynamoDbRecipientStore({ tableName: env.tableName, client }) },
    // The local sender's identity (LOCAL_SENDER_ADDRESS's domain); the local quota is unlimited unless configured.
    readiness: () => checkSesReadiness(reader, { identity: LOCAL_SENDER_IDENTITY }),
    audience: new DynamoDbAcceptanceStore({ tableName: env.tableName, client }),
    plannerQueue: sharedCampaignQueues(env).planner,
    sendQueue: sharedCampaignQueues(env).send,
    content: contentIndex,
    renderEmail: renderCampaignEmail,
    publicBaseUrl: env.publicBaseUrl,
    clock: env.clock,
  });
  return {
    handler: handler,
    stop: async () => {
      client.destroy();
      ses.destroy();
    },
  };
};
