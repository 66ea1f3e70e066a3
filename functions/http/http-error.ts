/**
 * An HTTP client error to throw from a route or a hook: `problem.ts` answers it with its status
 * (and any `headers` it names, a 405's `Allow`). Our own rather than `@middy/util`'s `createError`,
 * which imports `node:http` for its status texts: a cost on every cold start of a Lambda that needs
 * none of it. `statusCode` and `expose` are the fields middy's errors carry, so both kinds map alike.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly expose: boolean;

  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.expose = statusCode < 500;
  }
}

/** `new HttpError(…)`, for `throw httpError(406, 'why')`. */
export const httpError = (statusCode: number, message: string, headers?: Readonly<Record<string, string>>): HttpError =>
  new HttpError(statusCode, message, headers);
