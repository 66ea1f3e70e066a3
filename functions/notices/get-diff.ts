/** `GET /v1/notices/{noticeId}/diff?from=&to=&region=&lang=`: section-level differences of one variant. */
import { diffVersions } from '../content/diff.ts';
import { negotiateLanguage } from '../core/language.ts';
import { regionDefaultLanguage, resolveRegion } from '../core/regions.ts';
import { selectVersion } from '../core/versions.ts';
import type { HttpEvent, HttpResult } from '../http/middleware.ts';
import { parseQuery } from '../http/parse.ts';
import { DiffQuerySchema } from '../http/schemas/notices.ts';
import { IMMUTABLE_CACHE_CONTROL } from './cache-policy.ts';
import { etagOfBody } from './conditional.ts';
import { JSON_CONTENT_TYPE } from './list-notices.ts';
import { memoEntry, noticeFromPath, respondFrom, type ServingContext } from './serving-context.ts';

const DIFF_VARY = 'Accept-Language, CloudFront-Viewer-Country, CloudFront-Viewer-Country-Region, X-Notice-Region';

/** The route: both versions are pinned by number, so the answer is immutable. */
export const getDiff = (event: HttpEvent, context: ServingContext): HttpResult => {
  const headers = event.headers ?? {};
  const notice = noticeFromPath(event, context);
  const query = parseQuery(DiffQuerySchema, event.queryStringParameters);
  const now = context.clock.now();
  const older = selectVersion(notice, { version: query.from, now });
  const newer = selectVersion(notice, { version: query.to, now });
  const { region } = resolveRegion(
    {
      region: query.region,
      country: query.country,
      geoCountry: headers['cloudfront-viewer-country'],
      geoSubdivision: headers['cloudfront-viewer-country-region'],
      geoRegion: headers['x-notice-region'],
    },
    context.content.catalogue,
    notice.regions,
  );
  const languages = newer.languages.filter((language) => older.languages.includes(language));
  const language = negotiateLanguage(
    { lang: query.lang, acceptLanguage: headers['accept-language'] },
    languages,
    notice.defaultLanguage,
    regionDefaultLanguage(region, context.content.catalogue),
  );
  const key = `diff:${notice.noticeId}/${older.version}/${newer.version}/${region}/${language}`;
  const cached = context.memo.get(key, () => now.getTime());
  if (cached) return respondFrom(cached, event);
  const body = JSON.stringify(diffVersions(notice, older.version, newer.version, region, language));
  const responseHeaders = {
    'Content-Type': JSON_CONTENT_TYPE,
    'Content-Language': language,
    'Cache-Control': IMMUTABLE_CACHE_CONTROL,
    Vary: DIFF_VARY,
    'X-Notice-Region': region,
  };
  return respondFrom(context.memo.set(key, memoEntry(body, responseHeaders, etagOfBody(body), Infinity)), event);
};
