/**
 * Where the notices Lambda's request path comes from: `notices-stack.mjs` beside the bundle in
 * Lambda (`functions/notices/stack.ts` bundled on its own, lib/tracer-bundle.ts, copied by
 * lib/functions.ts), else the TypeScript source (tests, `npm start`). The specifier is one esbuild
 * cannot follow, so the router, the zod schemas and the routes are neither in the bundle nor parsed
 * at its import: the first request the memo cannot answer loads them (as `functions/tracing.ts`
 * loads the tracer). The stack file carries its own copies of the small modules both use (the memo
 * lookups, the problem mapping); they share only the serving context, handed over as data.
 */
import type { HttpHandler } from '../http/middleware.ts';
import type { ServingContext } from './serving-context.ts';

/** The file lib/functions.ts writes beside the notices Lambda's `index.mjs`. */
export const NOTICES_STACK_FILE = 'notices-stack.mjs';

interface StackModule {
  readonly noticesStack: (context: ServingContext) => HttpHandler;
}

const importModule = (specifier: string): Promise<StackModule> => import(specifier) as Promise<StackModule>;

const notFound = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === 'ERR_MODULE_NOT_FOUND';

/** The request path's module: the shipped file beside the bundle, else the source. */
export const loadNoticesStack = async (): Promise<StackModule> => {
  try {
    return await importModule(new URL(`./${NOTICES_STACK_FILE}`, import.meta.url).href);
  } catch (error) {
    if (!notFound(error)) throw error;
    return importModule(new URL('./stack.ts', import.meta.url).href);
  }
};
