/**
 * What every Lambda but notices logs with: the Powertools logger (service name from
 * `POWERTOOLS_SERVICE_NAME`, set by the construct, never in code), the Lambda request id on every
 * line, and errors as a sanitised message and stack.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

const EMAIL = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+/g;
const MAX_MESSAGE = 300;

/**
 * An error as log fields: its class, its message with anything shaped like an email address
 * replaced and cut to 300 characters, and its stack frames (the frames only: the stack's first
 * line repeats the unsanitised message). Never the error's own properties, which may hold input.
 */
export const errorDetails = (error: unknown): { errorName: string; errorMessage?: string; stack?: string } => {
  if (!(error instanceof Error)) return { errorName: typeof error };
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)).map((line) => line.replace(EMAIL, '<redacted>'));
  return {
    errorName: error.name,
    errorMessage: error.message.replace(EMAIL, '<redacted>').slice(0, MAX_MESSAGE),
    ...(frames.length > 0 ? { stack: frames.join('\n') } : {}),
  };
};

/**
 * Wrap a handler so every line the logger writes during an invocation carries its Lambda context
 * (request id included) and, for a worker, the `campaignId` of the records it works on (several,
 * comma-separated, when one batch mixes campaigns), removed again when the invocation ends.
 */
export const withLambdaContext = <E, R>(logger: Logger, handler: (event: E, context: Context) => Promise<R>, campaignIdsOf?: (event: E) => readonly string[]) =>
  async (event: E, context: Context): Promise<R> => {
    logger.addContext(context);
    const ids = campaignIdsOf ? [...new Set(campaignIdsOf(event))].sort() : [];
    if (ids.length === 0) return handler(event, context);
    logger.appendKeys({ campaignId: ids.join(',') });
    try {
      return await handler(event, context);
    } finally {
      logger.removeKeys(['campaignId']);
    }
  };

/** The campaign ids of an SQS batch, each read from a record's JSON body by `read`; a record that does not parse names none. */
export const campaignIdsOfRecords =
  (read: (body: Record<string, unknown>) => unknown) =>
  (event: { readonly Records?: readonly { readonly body?: string }[] } | undefined): string[] =>
    (event?.Records ?? []).flatMap((record) => {
      try {
        const id = read(JSON.parse(record.body ?? '') as Record<string, unknown>);
        return typeof id === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(id) ? [id] : [];
      } catch {
        return [];
      }
    });
