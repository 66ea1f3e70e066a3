/** Local wiring of the notices Lambda: the real handler over the content files of `.build/serving/` (as deployed), with the platform's clock. */
import { loadServedContent } from '../../functions/content/serving-files.ts';
import { makeHandler } from '../../functions/lambdas/notices.ts';
import type { LocalEnv, LocalWiring } from '../env.ts';

/** Build the notices handler for the local platform. */
export const createLocal = async (env: LocalEnv): Promise<LocalWiring> => ({
  handler: makeHandler({ content: loadServedContent(), clock: env.clock }),
});
