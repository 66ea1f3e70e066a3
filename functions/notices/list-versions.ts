/** `GET /v1/notices/{noticeId}/versions`: the version history with effective dates, status and declared changes. */
import { latestVersion } from '../core/versions.ts';
import type { HttpEvent, HttpResult } from '../http/middleware.ts';
import { latestPolicy } from './cache-policy.ts';
import { etagOfBody } from './conditional.ts';
import { JSON_CONTENT_TYPE } from './list-notices.ts';
import { memoEntry, noticeFromPath, nowMs, respondFrom, type ServingContext } from './serving-context.ts';

const memoKey = (noticeId: string): string => `versions:${noticeId}`;

/** The memo lookup. */
export const memoisedVersions = (event: HttpEvent, context: ServingContext): HttpResult | undefined => {
  const noticeId = event.pathParameters?.['noticeId'];
  if (noticeId === undefined) return undefined;
  const cached = context.memo.get(memoKey(noticeId), nowMs(context));
  return cached === undefined ? undefined : respondFrom(cached, event);
};

/** The route. */
export const listVersions = (event: HttpEvent, context: ServingContext): HttpResult => {
  const hit = memoisedVersions(event, context);
  if (hit !== undefined) return hit;
  const notice = noticeFromPath(event, context);
  const key = memoKey(notice.noticeId);
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
