/** The API Gateway results every HTTP Lambda answers with (errors: `problem.ts`). */
import type { HttpResult } from './middleware.ts';

/** A JSON body, never cached by default; `headers` add to or override the defaults. */
export const jsonResponse = (statusCode: number, body: unknown, headers: Readonly<Record<string, string>> = {}): HttpResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers },
  body: JSON.stringify(body),
});

/** A 204 with no body, never cached. */
export const noContent = (): HttpResult => ({ statusCode: 204, headers: { 'Cache-Control': 'no-store' } });

/** An HTML page in `language`; `headers` add to the type and language. */
export const htmlResponse = (statusCode: number, page: { readonly language: string; readonly html: string }, headers: Readonly<Record<string, string>> = {}): HttpResult => ({
  statusCode,
  headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Language': page.language, ...headers },
  body: page.html,
});

const headResults = new WeakMap<object, HttpResult>();

/** The GET route key a `HEAD` route key stands for (`HEAD /v1/notices` → `GET /v1/notices`), else the key itself. */
export const getKeyOf = (routeKey: string): string => (routeKey.startsWith('HEAD ') ? `GET ${routeKey.slice(5)}` : routeKey);

/**
 * The answer to `HEAD`: the GET result's status and headers, no body, and the Content-Length the
 * GET body has (RFC 9110 §9.3.2). A frozen result (a memo entry) maps to one frozen HEAD result.
 */
export const headResponse = (result: HttpResult): HttpResult => {
  const frozen = Object.isFrozen(result);
  if (frozen) {
    const known = headResults.get(result);
    if (known) return known;
  }
  const { body, isBase64Encoded, ...rest } = result;
  const headers: Record<string, string | number | boolean> = { ...result.headers };
  if (body !== undefined && result.statusCode !== 304 && result.statusCode !== 204) {
    headers['Content-Length'] = String(isBase64Encoded ? Buffer.from(body, 'base64').length : Buffer.byteLength(body));
  }
  const head: HttpResult = { ...rest, headers };
  if (frozen) {
    Object.freeze(headers);
    headResults.set(result, Object.freeze(head));
  }
  return head;
};
