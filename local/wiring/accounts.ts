/** Local wiring of the accounts Lambda: the real handler, the ledger store on the embedded engine, the platform's clock. */
import { Logger } from '@aws-lambda-powertools/logger';
import { createDocumentClient, DynamoDbAcceptanceStore } from '../../functions/ledger/dynamodb-store.ts';
import { makeHandler } from '../../functions/lambdas/accounts.ts';
import { publishedContent } from '../../functions/ledger/published-content.ts';
import type { LocalEnv, LocalWiring } from '../env.ts';

/** Build the accounts handler for the local platform. */
export const createLocal = async (env: LocalEnv): Promise<LocalWiring> => {
  const client = createDocumentClient({ endpoint: env.dynamo.endpoint, region: env.dynamo.region, credentials: env.dynamo.credentials });
  const handler = makeHandler({
    store: new DynamoDbAcceptanceStore({ tableName: env.tableName, client }),
    content: publishedContent,
    clock: env.clock,
    logger: new Logger({ serviceName: 'accounts', logLevel: 'WARN' }),
  });
  return { handler: handler, stop: async () => client.destroy() };
};
