/**
 * THE content negotiation of `Accept-Language` and `Accept`, once for the edge and the origin.
 *
 * The origin (functions/core/language.ts, the notices routes, the choice pages) imports these
 * functions; lib/edge/region-function.ts strips the types from this very file and inlines it into
 * the CloudFront Function. So this file is written in the subset cloudfront-js-2.0 runs: no
 * imports, no module state but constants, `var` and `function` only, no regular-expression
 * features beyond ES5, no library. Everything it needs comes in as arguments.
 *
 * Rules (RFC 9110 §12.4.2, §12.5.1, §12.5.4), the same at both ends:
 * - At most NEGOTIATION_MAX_HEADER characters are read (cut at the last comma before it) and at
 *   most NEGOTIATION_MAX_RANGES ranges; the rest of a header is ignored.
 * - A weight is `q=` followed by `0`, `0.` and up to three digits, `1` or `1.` and up to three
 *   zeros; anything else (`q=1.5`, `q=.5`, `q=0.1234`, a parameter that is not `q`) makes the
 *   whole range invalid, and an invalid range is ignored, as if it were not there.
 * - Per offer, the most specific matching range decides its weight (for languages an exact tag
 *   beats a prefix, `ja-JP` counts for `ja`, and `*` matches anything; for media types
 *   `type/subtype` beats `type/*` beats `*`/`*`); ties go to the range written first. `q=0`
 *   excludes the offer.
 * - The best offer has the highest weight; then the more specific match; then the range written
 *   first; then the offer listed first. So callers list their preferred default first.
 */

/** Characters of a header that are read. */
export var NEGOTIATION_MAX_HEADER = 1024;
/** Ranges of a header that are read. */
export var NEGOTIATION_MAX_RANGES = 32;

/** What the notice routes answer in, the default (no `Accept`, or any type) first. */
export var NOTICE_MEDIA_TYPES: readonly string[] = ['application/json', 'text/html', 'text/markdown'];

/** What the diff route answers in (JSON unless HTML is preferred), the default first. */
export var DIFF_MEDIA_TYPES: readonly string[] = ['application/json', 'text/html'];

/** One parsed range: its value lower-cased, its weight, its position. */
export interface NegotiationRange {
  readonly value: string;
  readonly q: number;
  readonly position: number;
}

/** The `q` parameter's value, or -1 when it is not a valid qvalue. */
export function negotiationWeight(text: string): number {
  if (!/^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/.test(text)) return -1;
  return parseFloat(text);
}

/**
 * The valid ranges of a header, in order; `isRange` says whether a range's value is well formed.
 * `mediaParameters`: media-type parameters (`text/html;level=1`) may come before the weight;
 * Accept-Language has none. Whitespace around `,` and `;` is allowed (OWS), none around `=`.
 */
export function negotiationRanges(header: string | undefined, isRange: (value: string) => boolean, mediaParameters: boolean): NegotiationRange[] {
  var ranges: NegotiationRange[] = [];
  if (typeof header !== 'string') return ranges;
  var text = header;
  if (text.length > NEGOTIATION_MAX_HEADER) {
    var cut = text.lastIndexOf(',', NEGOTIATION_MAX_HEADER);
    text = cut > 0 ? text.substring(0, cut) : '';
  }
  var parts = text.split(',');
  var seen = 0;
  for (var i = 0; i < parts.length && seen < NEGOTIATION_MAX_RANGES; i++) {
    var params = (parts[i] as string).split(';');
    var value = (params[0] as string).trim().toLowerCase();
    if (value === '' && params.length === 1) continue; // an empty list element (`a,,b`) is no range
    seen++;
    if (!isRange(value)) continue;
    var q = 1;
    var valid = true;
    for (var j = 1; j < params.length && valid; j++) {
      var param = (params[j] as string).trim();
      var eq = param.indexOf('=');
      var name = eq > 0 ? param.substring(0, eq).toLowerCase() : '';
      if (name === 'q') {
        // The weight is the last parameter.
        q = j === params.length - 1 ? negotiationWeight(param.substring(eq + 1)) : -1;
        valid = q >= 0;
      } else {
        valid = mediaParameters && /^[a-z0-9!#$%&'*+.^_`|~-]+=[^;]*$/i.test(param);
      }
    }
    if (valid) ranges.push({ value: value, q: q, position: ranges.length });
  }
  return ranges;
}

/** A language range: `*`, or 1–8 letters then subtags of 1–8 letters or digits. */
export function isLanguageRange(value: string): boolean {
  return value === '*' || /^[a-z]{1,8}(?:-[a-z0-9]{1,8})*$/.test(value);
}

/** A media range: `*` + `/*`, `type/*` or `type/subtype` (RFC 9110 tokens). */
export function isMediaRange(value: string): boolean {
  return /^(?:\*\/\*|[a-z0-9!#$&^_.+-]+\/(?:\*|[a-z0-9!#$&^_.+-]+))$/.test(value);
}

/** How specifically a language range names `offer` (a primary subtag such as `ja`): 2 exact, 1 prefix, 0 `*`, -1 not at all. */
export function languageSpecificity(range: string, offer: string): number {
  if (range === offer) return 2;
  if (range.length > offer.length && range.charAt(offer.length) === '-' && range.substring(0, offer.length) === offer) return 1;
  return range === '*' ? 0 : -1;
}

/** How specifically a media range names `offer` (`type/subtype`): 2 exact, 1 `type/*`, 0 `*` + `/*`, -1 not at all. */
export function mediaSpecificity(range: string, offer: string): number {
  if (range === offer) return 2;
  if (range === '*/*') return 0;
  var slash = offer.indexOf('/');
  return range === offer.substring(0, slash) + '/*' ? 1 : -1;
}

/** How the ranges weigh one offer: the most specific matching range (s = -1 when none matches it). */
export function offerWeight(ranges: readonly NegotiationRange[], offer: string, specificity: (range: string, offer: string) => number): { s: number; q: number; position: number } {
  var weight = { s: -1, q: 0, position: 0 };
  for (var r = 0; r < ranges.length; r++) {
    var range = ranges[r] as NegotiationRange;
    var rs = specificity(range.value, offer);
    if (rs > weight.s) weight = { s: rs, q: range.q, position: range.position };
  }
  return weight;
}

/** The index in `offers` of the best offer, or -1 when the ranges accept none of them. */
export function negotiateOffer(ranges: readonly NegotiationRange[], offers: readonly string[], specificity: (range: string, offer: string) => number): number {
  var best = -1;
  var bestQ = 0;
  var bestS = 0;
  var bestPosition = 0;
  for (var o = 0; o < offers.length; o++) {
    var weight = offerWeight(ranges, offers[o] as string, specificity);
    var s = weight.s;
    var q = weight.q;
    var position = weight.position;
    if (s < 0 || q <= 0) continue;
    if (best === -1 || q > bestQ || (q === bestQ && (s > bestS || (s === bestS && position < bestPosition)))) {
      best = o;
      bestQ = q;
      bestS = s;
      bestPosition = position;
    }
  }
  return best;
}

/**
 * The language to serve from `offers` (primary subtags, the preferred default first: the
 * region's default language, then the notice's): the header's best; when it accepts none of
 * them (or is absent or empty), the first offer it does not refuse (`ko;q=0` in Korea gets the
 * next default), and `offers[0]` when it refuses them all.
 */
export function negotiateAcceptLanguage(header: string | undefined, offers: readonly string[]): string {
  var ranges = negotiationRanges(header, isLanguageRange, false);
  var index = negotiateOffer(ranges, offers, languageSpecificity);
  for (var o = 0; index === -1 && o < offers.length; o++) {
    if (offerWeight(ranges, offers[o] as string, languageSpecificity).s < 0) index = o;
  }
  return offers[index === -1 ? 0 : index] as string;
}

/**
 * The media type to answer with from `offers` (the default first): `offers[0]` when the header is
 * absent or blank, undefined when it accepts none of them (a 406).
 */
export function negotiateAccept(header: string | undefined, offers: readonly string[]): string | undefined {
  if (typeof header !== 'string' || header.trim() === '') return offers[0];
  var index = negotiateOffer(negotiationRanges(header, isMediaRange, true), offers, mediaSpecificity);
  return index === -1 ? undefined : offers[index];
}
