/**
 * What the choices Lambda reads from a request: whether the caller wants JSON, the browser's
 * languages, the chosen option from a form (or JSON) body, and the evidence of where it came from.
 * Every header is capped before parsing; bad bodies are the caller's error (4xx), never a 5xx.
 */
import Negotiator from 'negotiator';
import { pageLanguages } from '../campaigns/choice-pages.ts';
import { ForbiddenError, InvalidInputError } from '../core/errors.ts';
import { ipPrefix } from '../core/ip-prefix.ts';
import { negotiateAcceptLanguage } from '../core/negotiation.ts';
import type { HttpEvent } from './middleware.ts';
import { httpError } from './http-error.ts';

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

/** The page language the browser asks for (the one negotiation, functions/core/negotiation.ts); the pages' fallback language when none. */
export const browserLanguages = (event: HttpEvent): string[] => [negotiateAcceptLanguage(event.headers?.['accept-language'], pageLanguages())];

/** The body types a choice POST may have: an HTML form, or JSON (`application/json`, `application/*+json`). */
const bodyKind = (event: HttpEvent): 'form' | 'json' | undefined => {
  const mediaType = (event.headers?.['content-type'] ?? '').slice(0, MAX_HEADER_LENGTH).split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/x-www-form-urlencoded') return 'form';
  if (mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType)) return 'json';
  return undefined;
};

/** A browser said the POST came from another site. */
export class CrossSiteRequestError extends ForbiddenError {
  constructor() {
    super('a choice is made from its own page, not from another site');
  }
}

/**
 * Refuse a POST a browser says is cross-site: `Sec-Fetch-Site: cross-site`, or an `Origin` that is
 * neither the public base URL nor the request's own host. Without those headers (non-browser
 * clients) it passes: the token is the capability.
 */
export const assertSameSite = (event: HttpEvent, publicBaseUrl?: string): void => {
  const fetchSite = event.headers?.['sec-fetch-site']?.slice(0, MAX_HEADER_LENGTH).trim().toLowerCase();
  if (fetchSite === 'cross-site') throw new CrossSiteRequestError();
  // The browser's own word wins: with `Referrer-Policy: no-referrer` (our pages) Chromium sends `Origin: null` on a same-origin form post.
  if (fetchSite === 'same-origin' || fetchSite === 'same-site' || fetchSite === 'none') return;
  const origin = event.headers?.['origin']?.slice(0, MAX_HEADER_LENGTH).trim();
  // `null` is what a browser sends from an opaque origin (sandboxed frame, data: URL): never ours.
  if (origin === undefined || origin === '') return;
  const ours = new Set<string>();
  if (publicBaseUrl) {
    try {
      ours.add(new URL(publicBaseUrl).origin);
    } catch {
      // A malformed setting names no origin; the request's own host still does.
    }
  }
  const host = event.headers?.['host'] ?? event.requestContext?.domainName;
  if (host) {
    ours.add(`https://${host}`);
    ours.add(`http://${host}`);
  }
  let given: string;
  try {
    given = new URL(origin).origin;
  } catch {
    throw new CrossSiteRequestError();
  }
  if (!ours.has(given)) throw new CrossSiteRequestError();
};

/** The `option` field of a form (or JSON) body, unvalidated: the use case checks it. Any other body type → 415. */
export const optionFromBody = (event: HttpEvent): unknown => {
  const kind = bodyKind(event);
  if (!kind) throw httpError(415, 'send the choice as a form (application/x-www-form-urlencoded) or as JSON (application/json)');
  if (!event.body) return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) throw httpError(413, 'the form is too large');
  if (kind === 'json') {
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
