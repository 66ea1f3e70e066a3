/**
 * Language negotiation, pure: an explicit `lang` first, then `Accept-Language` with strict
 * q-values (functions/core/negotiation.ts, the same code the CloudFront Function runs), then the
 * region's default language (catalogue data, `kr` → `ko`), then the notice's default language.
 */
import { InvalidInputError } from './errors.ts';
import { negotiateAcceptLanguage } from './negotiation.ts';

// BCP 47 shape, loosely: a 2–3 letter primary subtag and up to four short subtags (`ja-JP`, `zh-Hant-TW`).
export const LANGUAGE_TAG_PATTERN = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,4}$/;

/** True for a well-formed language tag (`en`, `ja-JP`, `zh-Hant-TW`). */
export const isLanguageTag = (value: string): boolean => LANGUAGE_TAG_PATTERN.test(value);

/** The primary subtag, lower-cased: `ja-JP` → `ja`. */
export const primaryLanguage = (tag: string): string => {
  const hyphen = tag.indexOf('-');
  return (hyphen === -1 ? tag : tag.slice(0, hyphen)).toLowerCase();
};

/**
 * `available` in the order negotiation breaks ties in: the region's default language (when
 * available), then `fallback` (when available), then the rest as given.
 */
export const offerOrder = (available: readonly string[], fallback: string, regionDefault?: string): string[] => {
  const first = [regionDefault, fallback].filter((language): language is string => language !== undefined && available.includes(language));
  return [...new Set([...first, ...available])];
};

/**
 * Pick the language to serve from `available`. A malformed explicit `lang` throws
 * `InvalidInputError`; a well-formed one that is not available falls through to negotiation.
 * `q=0` excludes a language; equal preferences, `*` and no usable answer resolve to the region's
 * default language when it is available, else to `fallback` (the notice's default).
 */
export const negotiateLanguage = (
  input: { lang?: string; acceptLanguage?: string },
  available: readonly string[],
  fallback: string,
  regionDefault?: string,
): string => {
  const offers = offerOrder(available, fallback, regionDefault);
  if (input.lang !== undefined) {
    if (!isLanguageTag(input.lang)) {
      throw new InvalidInputError('lang must be a language tag such as en or ja-JP', [{ path: 'lang', message: 'malformed language tag' }]);
    }
    const wanted = primaryLanguage(input.lang);
    if (available.includes(wanted)) return wanted;
  }
  if (offers.length === 0) return fallback;
  return negotiateAcceptLanguage(input.acceptLanguage, offers);
};
