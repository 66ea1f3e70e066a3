/**
 * `GET /v1/notices/{noticeId}`: the variant for the caller's region and language, as JSON, HTML or
 * Markdown. Every variant is pre-rendered; this route only resolves which one and memoises the
 * finished response, first by the raw inputs (a hit skips all parsing), then per
 * (notice, version, region, language, format).
 *
 * ETag choice: one tag per representation, derived from the content hash: `"<hash>"` for JSON (the
 * hash itself, as PRODUCT.md promises) and `"<hash>.html"` / `"<hash>.md"`, so a cache that stores
 * several formats under one URL never validates one with another's tag.
 */
import { variantKey } from '../core/content.ts';
import { NotFoundError } from '../core/errors.ts';
import { NOTICE_MEDIA_TYPES, negotiateAccept } from '../core/negotiation.ts';
import { selectVersion } from '../core/versions.ts';
import { htmlSecurityHeaders } from '../http/html-security.ts';
import type { HttpEvent, HttpResult } from '../http/middleware.ts';
import { parseQuery } from '../http/parse.ts';
import { type Format, NoticeQuerySchema } from '../http/schemas/notices.ts';
import { atPolicy, immutablePolicy, latestPolicy } from './cache-policy.ts';
import { memoisedNotice } from './memo-lookups.ts';
import type { MemoEntry } from './response-memo.ts';
import { memoEntry, noticeFromPath, respondFrom, type ServingContext } from './serving-context.ts';
import { readerVariant } from './reader-variant.ts';
import { httpError } from '../http/http-error.ts';

/** Every request header that can select a different variant. */
export const VARIANT_VARY = 'Accept, Accept-Language, CloudFront-Viewer-Country, CloudFront-Viewer-Country-Region, X-Notice-Region';

const CONTENT_TYPES: Readonly<Record<Format, string>> = {
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
};

const FORMAT_OF_MEDIA_TYPE: Readonly<Record<string, Format>> = { 'application/json': 'json', 'text/html': 'html', 'text/markdown': 'md' };

/** The representation asked for by `Accept`: JSON when absent; 406 when nothing offered is acceptable. */
export const formatFromAccept = (accept: string | undefined): Format => {
  // The same negotiation the CloudFront Function normalises `Accept` with (functions/core/negotiation.ts).
  const best = negotiateAccept(accept, NOTICE_MEDIA_TYPES);
  const format = best === undefined ? undefined : FORMAT_OF_MEDIA_TYPE[best];
  if (format === undefined) {
    throw httpError(406, 'acceptable representations are application/json, text/html and text/markdown (or use ?format=)');
  }
  return format;
};

const etagOf = (contentHash: string, format: Format): string => (format === 'json' ? `"${contentHash}"` : `"${contentHash}.${format}"`);

const resolveEntry = (event: HttpEvent, context: ServingContext): MemoEntry => {
  const headers = event.headers ?? {};
  const notice = noticeFromPath(event, context);
  const query = parseQuery(NoticeQuerySchema, event.queryStringParameters);
  const format = query.format ?? formatFromAccept(headers['accept']);
  const now = context.clock.now();
  // `at` asks for the version in force at that instant instead of now; a version number wins over it.
  const version = selectVersion(notice, { version: query.version, now: query.at ?? now });
  const { region, language } = readerVariant(event, context, notice, query, version.languages);
  const pinned = query.version !== undefined;
  const selection = pinned ? 'pinned' : query.at !== undefined ? 'at' : 'latest';
  const tupleKey = `variant:${notice.noticeId}/${version.version}/${selection}/${region}/${language}/${format}`;
  const known = context.memo.get(tupleKey, () => now.getTime());
  if (known) return known;

  const variant = version.variants[variantKey(region, language)];
  // The build renders every region × language; a gap is a broken artifact, not bad input.
  if (!variant) throw new NotFoundError(`no ${region}/${language} variant of ${notice.noticeId} version ${version.version}`);
  const policy = pinned ? immutablePolicy : query.at !== undefined ? atPolicy : latestPolicy(notice, now);
  const body = format === 'json' ? variant.json : format === 'html' ? variant.html : variant.markdown;
  const headersOut = {
    'Content-Type': CONTENT_TYPES[format],
    'Content-Language': language,
    'Cache-Control': policy.cacheControl,
    Vary: VARIANT_VARY,
    'X-Notice-Region': region,
    ...(format === 'html' ? htmlSecurityHeaders(context.content.documentSecurityPolicy) : {}),
  };
  return context.memo.set(tupleKey, memoEntry(body, headersOut, etagOf(variant.contentHash, format), policy.validUntil));
};

/** The route: memo hit → bytes; miss → resolve, memoise, answer. */
export const getNotice = (event: HttpEvent, context: ServingContext): HttpResult => {
  const hit = memoisedNotice(event, context);
  if (hit !== undefined) return hit;
  const entry = resolveEntry(event, context);
  context.variantInputs.set(event, entry);
  return respondFrom(entry, event);
};
