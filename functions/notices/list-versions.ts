/** `GET /v1/notices/{noticeId}/versions`: the version history with effective dates, status and declared changes. */
import { latestVersion } from '../core/versions.ts';
import type { HttpEvent, HttpResult } from '../http/middleware.ts';
import { latestPolicy } from './cache-policy.ts';
import { etagOfBody } from './conditional.ts';
import { JSON_CONTENT_TYPE } from './list-notices.ts';
import { memoEntry, noticeFromPath, respondFrom, type ServingContext } from './serving-context.ts';

/** The route. */
export const listVersions = (event: HttpEvent, context: ServingContext): HttpResult => {
  const notice = noticeFromPath(event, context);
  const key = `versions/${notice.noticeId}`;
  const cached = context.memo.get(key, () => context.clock.now().getTime());
  if (cached) return respondFrom(cached, event);
  const now = context.clock.now();
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
  const policy = latestPolicy(notice, now);
  const headers = { 'Content-Type': JSON_CONTENT_TYPE, 'Cache-Control': policy.cacheControl };
  return respondFrom(context.memo.set(key, memoEntry(body, headers, etagOfBody(body), policy.validUntil)), event);
};
