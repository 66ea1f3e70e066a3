/**
 * The region and language of the reader of a notice page (variant, diff, history), chosen the same
 * way for every route: `region` > `subdivision` > `country` > the CloudFront geo headers > global,
 * then `lang` > `Accept-Language` among the languages the route can serve > the notice's default >
 * the region's default.
 */
import { negotiateLanguage } from '../core/language.ts';
import { regionDefaultLanguage, resolveRegion } from '../core/regions.ts';
import type { HttpEvent } from '../http/middleware.ts';
import type { noticeFromPath, ServingContext } from './serving-context.ts';

type Notice = ReturnType<typeof noticeFromPath>;

/** What a route's query says of the reader. */
export interface ReaderQuery {
  readonly region?: string | undefined;
  readonly country?: string | undefined;
  readonly subdivision?: string | undefined;
  readonly lang?: string | undefined;
}

export const readerVariant = (
  event: HttpEvent,
  context: ServingContext,
  notice: Notice,
  query: ReaderQuery,
  languages: readonly string[],
): { region: string; language: string } => {
  const headers = event.headers ?? {};
  const { region } = resolveRegion(
    {
      region: query.region,
      country: query.country,
      subdivision: query.subdivision,
      geoCountry: headers['cloudfront-viewer-country'],
      geoSubdivision: headers['cloudfront-viewer-country-region'],
      geoRegion: headers['x-notice-region'],
    },
    context.content.catalogue,
    notice.regions,
  );
  const language = negotiateLanguage(
    { lang: query.lang, acceptLanguage: headers['accept-language'] },
    languages,
    notice.defaultLanguage,
    regionDefaultLanguage(region, context.content.catalogue),
  );
  return { region, language };
};
