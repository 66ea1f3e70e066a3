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
