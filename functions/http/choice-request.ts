/**
 * What the choices Lambda reads from a request: whether the caller wants JSON, the browser's
 * languages, the chosen option from a form (or JSON) body, and the evidence of where it came from.
 * Every header is capped before parsing; bad bodies are the caller's error (4xx), never a 5xx.
 */
import { createError } from '@middy/util';
import Negotiator from 'negotiator';
import { PAGE_LANGUAGES } from '../campaigns/choice-pages.ts';
import { InvalidInputError } from '../core/errors.ts';
import { ipPrefix } from '../core/ip-prefix.ts';
import type { HttpEvent } from './middleware.ts';

/** A form post is one short field; anything bigger is not ours. */
const MAX_BODY_BYTES = 4096;
const MAX_HEADER_LENGTH = 1024;
const OFFERED = ['text/html', 'application/json', 'application/problem+json'];

/** True when `Accept` prefers JSON (or problem+json) to the HTML pages; browsers get HTML. */
export const wantsJson = (event: HttpEvent): boolean => {
  const accept = event.headers?.['accept'];
  if (!accept) return false;
  const [best] = new Negotiator({ headers: { accept: accept.slice(0, MAX_HEADER_LENGTH) } }).mediaTypes(OFFERED);
  return best !== undefined && best !== 'text/html';
};

/** The page languages the browser accepts, best first; the pages' fallback language when none. */
export const browserLanguages = (event: HttpEvent): string[] => {
  const acceptLanguage = event.headers?.['accept-language']?.slice(0, MAX_HEADER_LENGTH);
  const preferred = new Negotiator({ headers: { 'accept-language': acceptLanguage ?? '' } }).languages([...PAGE_LANGUAGES]);
  return preferred.length > 0 ? preferred : [PAGE_LANGUAGES[0]];
};

/** The `option` field of a form (or JSON) body, unvalidated: the use case checks it. */
export const optionFromBody = (event: HttpEvent): unknown => {
  if (!event.body) return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) throw createError(413, 'the form is too large');
  const contentType = (event.headers?.['content-type'] ?? '').toLowerCase();
  if (contentType.includes('json')) {
    try {
      return (JSON.parse(raw) as { option?: unknown } | null)?.option;
    } catch {
      throw new InvalidInputError('the body is not valid JSON');
    }
  }
  return new URLSearchParams(raw).get('option') ?? undefined;
};

/** Where a choice came from, for its evidence: the caller's IP prefix and user agent when present. */
export const choiceSource = (event: HttpEvent): { ipPrefix?: string; userAgent?: string } => ({
  ...(event.requestContext?.http?.sourceIp ? { ipPrefix: ipPrefix(event.requestContext.http.sourceIp) } : {}),
  ...(event.headers?.['user-agent'] ? { userAgent: event.headers['user-agent'] } : {}),
});
