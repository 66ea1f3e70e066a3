/**
 * Language negotiation, pure: an explicit `lang` first, then `Accept-Language` with q-values
 * (via `negotiator`), then the notice's default language.
 */
import Negotiator from 'negotiator';
import { InvalidInputError } from './errors.ts';

// BCP 47 shape, loosely: a 2–3 letter primary subtag and up to four short subtags (`ja-JP`, `zh-Hant-TW`).
export const LANGUAGE_TAG_PATTERN = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,4}$/;
// A real Accept-Language is a few dozen bytes; cap what we parse so hostile headers stay cheap.
const MAX_ACCEPT_LANGUAGE_LENGTH = 1024;

/** True for a well-formed language tag (`en`, `ja-JP`, `zh-Hant-TW`). */
export const isLanguageTag = (value: string): boolean => LANGUAGE_TAG_PATTERN.test(value);

/** The primary subtag, lower-cased: `ja-JP` → `ja`. */
export const primaryLanguage = (tag: string): string => {
  const hyphen = tag.indexOf('-');
  return (hyphen === -1 ? tag : tag.slice(0, hyphen)).toLowerCase();
};

const boundedHeader = (header: string): string => {
  if (header.length <= MAX_ACCEPT_LANGUAGE_LENGTH) return header;
  const cut = header.lastIndexOf(',', MAX_ACCEPT_LANGUAGE_LENGTH);
  return cut > 0 ? header.slice(0, cut) : '';
};

/**
 * Pick the language to serve from `available`. A malformed explicit `lang` throws
 * `InvalidInputError`; a well-formed one that is not available falls through to negotiation.
 * `q=0` excludes a language; ties keep the fallback first.
 */
export const negotiateLanguage = (
  input: { lang?: string; acceptLanguage?: string },
  available: readonly string[],
  fallback: string,
): string => {
  const defaultLanguage = available.includes(fallback) ? fallback : (available[0] ?? fallback);
  if (input.lang !== undefined) {
    if (!isLanguageTag(input.lang)) {
      throw new InvalidInputError('lang must be a language tag such as en or ja-JP', [{ path: 'lang', message: 'malformed language tag' }]);
    }
    const wanted = primaryLanguage(input.lang);
    if (available.includes(wanted)) return wanted;
  }
  const header = input.acceptLanguage?.trim();
  if (!header) return defaultLanguage;
  // The default goes first so that `*` and equal q-values resolve to it.
  const ordered = [defaultLanguage, ...available.filter((language) => language !== defaultLanguage)];
  try {
    const [best] = new Negotiator({ headers: { 'accept-language': boundedHeader(header) } }).languages(ordered);
    return best ?? defaultLanguage;
  } catch {
    // An unparseable header is no preference at all, not a client error.
    return defaultLanguage;
  }
};
