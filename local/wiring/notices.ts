/** Local wiring of the notices Lambda: the real handler over the compiled content, with the platform's clock. */
import { compiledContent } from '../../functions/content/artifact.ts';
import { makeHandler } from '../../functions/lambdas/notices.ts';
import type { LocalEnv, LocalWiring } from '../env.ts';

/** Build the notices handler for the local platform. */
export const createLocal = async (env: LocalEnv): Promise<LocalWiring> => ({
  handler: makeHandler({ content: compiledContent, clock: env.clock }),
});
