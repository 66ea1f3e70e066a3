/** `GET /v1/notices[?at=]`: every notice with its latest version in force (now, or at `at`), languages, regions and upcoming versions. */
import { isInForce, latestVersion } from '../core/versions.ts';
import type { HttpEvent, HttpResult } from '../http/middleware.ts';
import { parseQuery } from '../http/parse.ts';
import { AtQuerySchema } from '../http/schemas/notices.ts';
import { atPolicy, type CachePolicy, latestPolicy } from './cache-policy.ts';
import { etagOfBody } from './conditional.ts';
import { memoisedNoticeList, noticeListKey } from './memo-lookups.ts';
import { memoEntry, respondFrom, type ServingContext } from './serving-context.ts';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** The strictest of several policies: the one that must be revisited first. */
export const earliestPolicy = (policies: readonly CachePolicy[], fallback: CachePolicy): CachePolicy =>
  policies.reduce((earliest, policy) => (policy.validUntil < earliest.validUntil ? policy : earliest), fallback);

/** The route. */
export const listNotices = (event: HttpEvent, context: ServingContext): HttpResult => {
  const hit = memoisedNoticeList(event, context);
  if (hit !== undefined) return hit;
  const { at } = parseQuery(AtQuerySchema, event.queryStringParameters);
  const now = at ?? context.clock.now();
  const notices = context.content.notices.map((notice) => {
    const latest = latestVersion(notice, now);
    return {
      noticeId: notice.noticeId,
      title: notice.title,
      defaultLanguage: notice.defaultLanguage,
      latestVersion: latest?.version ?? null,
      effectiveDate: latest?.effectiveDate ?? null,
      languages: latest?.languages ?? notice.versions[0]?.languages ?? [],
      regions: notice.regions,
      upcoming: notice.versions
        .filter((version) => !isInForce(version, now))
        .map((version) => ({ version: version.version, effectiveDate: version.effectiveDate })),
    };
  });
  const policy =
    at !== undefined
      ? atPolicy
      : earliestPolicy(
          context.content.notices.map((notice) => latestPolicy(notice, now)),
          { cacheControl: 'public, max-age=300', validUntil: Infinity },
        );
  const body = JSON.stringify({ notices });
  const headers = { 'Content-Type': JSON_CONTENT_TYPE, 'Cache-Control': policy.cacheControl };
  return respondFrom(context.memo.set(noticeListKey(event), memoEntry(body, headers, etagOfBody(body), policy.validUntil)), event);
};
