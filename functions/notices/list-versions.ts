/**
 * `GET /v1/notices/{noticeId}/versions[?at=]`: the version history with effective dates, status and
 * declared changes, as JSON for services (the default) or, with `format=html` or an `Accept` that
 * prefers `text/html`, the page pre-rendered at build time for the reader's region and language
 * (`compiler/render-history.ts`), chosen by the version in force at the instant asked about.
 */
import { variantKey } from '../core/content.ts';
import { NotFoundError } from '../core/errors.ts';
import { latestVersion } from '../core/versions.ts';
import { htmlSecurityHeaders } from '../http/html-security.ts';
import type { HttpEvent, HttpResult } from '../http/middleware.ts';
import { parseQuery } from '../http/parse.ts';
import { VersionsQuerySchema } from '../http/schemas/notices.ts';
import { atPolicy, latestPolicy } from './cache-policy.ts';
import { etagOfBody } from './conditional.ts';
import { diffFormatFromAccept } from './get-diff.ts';
import { VARIANT_VARY } from './get-notice.ts';
import { JSON_CONTENT_TYPE } from './list-notices.ts';
import { memoisedVersions } from './memo-lookups.ts';
import { memoEntry, noticeFromPath, respondFrom, type ServingContext } from './serving-context.ts';
import { readerVariant } from './reader-variant.ts';

const HTML_CONTENT_TYPE = 'text/html; charset=utf-8';

type Notice = ReturnType<typeof noticeFromPath>;
type Query = ReturnType<typeof parseQuery<typeof VersionsQuerySchema>>;

const jsonBody = (notice: Notice, now: Date): string => {
  const latest = latestVersion(notice, now);
  return JSON.stringify({
    noticeId: notice.noticeId,
    latestVersion: latest?.version ?? null,
    versions: notice.versions.map((version) => ({
      version: version.version,
      effectiveDate: version.effectiveDate,
      status: latest === undefined || version.version > latest.version ? 'upcoming' : version === latest ? 'in-force' : 'superseded',
      languages: version.languages,
      changes: version.changes,
    })),
  });
};

/** The page's region and language, chosen as for the notice itself, among the newest version's variants (which carry the pages). */
const pageVariant = (event: HttpEvent, context: ServingContext, notice: Notice, query: Query): { region: string; language: string } => {
  const newest = notice.versions.at(-1);
  if (newest === undefined) throw new NotFoundError(`notice ${notice.noticeId} has no versions`);
  return readerVariant(event, context, notice, query, newest.languages);
};

/** The route. */
export const listVersions = (event: HttpEvent, context: ServingContext): HttpResult => {
  const hit = memoisedVersions(event, context);
  if (hit !== undefined) return hit;
  const notice = noticeFromPath(event, context);
  const query = parseQuery(VersionsQuerySchema, event.queryStringParameters);
  const format = query.format ?? diffFormatFromAccept(event.headers?.['accept']);
  const page = format === 'html' ? pageVariant(event, context, notice, query) : undefined;
  // With `at`, the history as it stands at that instant: which version is in force, which superseded or upcoming.
  const now = query.at ?? context.clock.now();
  // One entry per notice, `at` as sent and representation (the memo is bounded; a malformed `at` is refused before anything is kept).
  const key = `versions:${notice.noticeId}?at=${event.queryStringParameters?.['at'] ?? ''}#${page ? `html/${page.region}/${page.language}` : 'json'}`;
  let entry = context.memo.get(key, () => context.clock.now().getTime());
  if (entry === undefined) {
    const policy = query.at !== undefined ? atPolicy : latestPolicy(notice, now);
    let body: string;
    let headers: Record<string, string>;
    if (page === undefined) {
      body = jsonBody(notice, now);
      headers = { 'Content-Type': JSON_CONTENT_TYPE, 'Cache-Control': policy.cacheControl, Vary: VARIANT_VARY };
    } else {
      const inForce = latestVersion(notice, now)?.version ?? 0;
      const html = notice.versions.at(-1)?.variants[variantKey(page.region, page.language)]?.historyPages?.[String(inForce)];
      // The build renders the history for every region × language of the newest version: a gap is a broken artifact, not bad input.
      if (html === undefined) throw new NotFoundError(`no ${page.region}/${page.language} version history of ${notice.noticeId}`);
      body = html;
      headers = {
        'Content-Type': HTML_CONTENT_TYPE,
        'Content-Language': page.language,
        'Cache-Control': policy.cacheControl,
        Vary: VARIANT_VARY,
        'X-Notice-Region': page.region,
        ...htmlSecurityHeaders(context.content.documentSecurityPolicy),
      };
    }
    entry = context.memo.set(key, memoEntry(body, headers, etagOfBody(body), policy.validUntil));
  }
  context.versionsInputs.set(event, entry);
  return respondFrom(entry, event);
};
