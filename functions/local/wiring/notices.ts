/** Local wiring of the notices Lambda: the real handler over the compiled content, with the platform's clock. */
import type { LocalEnv, LocalWiring } from '../env.ts';
import type { GatewayHandler } from '../gateway.ts';

interface NoticesHandlerModule {
  makeHandler?: (deps: { content: unknown; clock: LocalEnv['clock'] }) => GatewayHandler;
  handler: GatewayHandler;
}

/** Build the notices handler for the local platform. */
export const createLocal = async (env: LocalEnv): Promise<LocalWiring> => {
  const notices = (await import('../../notices/handler.ts')) as NoticesHandlerModule;
  if (!notices.makeHandler) return { handler: notices.handler };
  const artifactModule = '../../content/artifact.ts';
  const artifact = (await import(artifactModule)) as { content?: unknown; default?: unknown };
  return { handler: notices.makeHandler({ content: artifact.content ?? artifact.default, clock: env.clock }) };
};
