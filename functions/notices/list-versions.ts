/** `GET /v1/notices/{noticeId}/versions[?at=]`: the version history with effective dates, status and declared changes. */
import { latestVersion } from '../core/versions.ts';
import type { HttpEvent, HttpResult } from '../http/middleware.ts';
import { parseQuery } from '../http/parse.ts';
import { AtQuerySchema } from '../http/schemas/notices.ts';
import { atPolicy, latestPolicy } from './cache-policy.ts';
import { etagOfBody } from './conditional.ts';
import { JSON_CONTENT_TYPE } from './list-notices.ts';
import { memoisedVersions } from './memo-lookups.ts';
import { memoEntry, noticeFromPath, respondFrom, type ServingContext } from './serving-context.ts';

/** The route. */
export const listVersions = (event: HttpEvent, context: ServingContext): HttpResult => {
  const hit = memoisedVersions(event, context);
  if (hit !== undefined) return hit;
  const notice = noticeFromPath(event, context);
  const { at } = parseQuery(AtQuerySchema, event.queryStringParameters);
  // One memo entry per notice and `at` as sent (the memo is bounded; a malformed `at` is refused before anything is kept).
  const key = `versions:${notice.noticeId}?at=${event.queryStringParameters?.['at'] ?? ''}`;
  // With `at`, the history as it stands at that instant: which version is in force, which superseded or upcoming.
  const now = at ?? context.clock.now();
  const known = context.memo.get(key, () => context.clock.now().getTime());
  if (known) {
    context.versionsInputs.set(event, known);
    return respondFrom(known, event);
  }
  const latest = latestVersion(notice, now);
  const body = JSON.stringify({
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
  const policy = at !== undefined ? atPolicy : latestPolicy(notice, now);
  const headers = { 'Content-Type': JSON_CONTENT_TYPE, 'Cache-Control': policy.cacheControl };
  const entry = context.memo.set(key, memoEntry(body, headers, etagOfBody(body), policy.validUntil));
  context.versionsInputs.set(event, entry);
  return respondFrom(entry, event);
};
