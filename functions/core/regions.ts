/**
 * Region resolution, pure: which regional variant a caller gets, from an explicit region, a
 * country (or ISO 3166-2 subdivision), the CloudFront geo headers, or the `global` default.
 */
import type { RegionCatalogue, RegionId } from './content.ts';
import { InvalidInputError, UnprocessableError } from './errors.ts';

/** The region of countries that no catalogue entry names. */
export const GLOBAL_REGION: RegionId = 'global';

export type RegionSource = 'region' | 'country' | 'geo' | 'default';

export interface RegionInput {
  /** Explicit region id (`?region=`): wins over everything; must be served. */
  readonly region?: string;
  /** ISO 3166-1 alpha-2 (`?country=`). */
  readonly country?: string;
  /** Full ISO 3166-2 code (`CA-QC`); its country part must agree with `country` when both are given. */
  readonly subdivision?: string;
  /** `CloudFront-Viewer-Country`. Set by the edge, so malformed values are ignored, not refused. */
  readonly geoCountry?: string;
  /** `CloudFront-Viewer-Country-Region`: only the subdivision part (`QC`); `CA-QC` is accepted too. */
  readonly geoSubdivision?: string;
  /**
   * `x-notice-region`, computed from the geo headers by our CloudFront Function. It is part of the
   * CDN cache key, so it wins over the raw geo headers to keep the response consistent with the key.
   */
  readonly geoRegion?: string;
}

export interface ResolvedRegion {
  readonly region: RegionId;
  readonly source: RegionSource;
}

export const COUNTRY_PATTERN = /^[A-Za-z]{2}$/;
export const SUBDIVISION_PATTERN = /^([A-Za-z]{2})-([A-Za-z0-9]{1,3})$/;
const SUBDIVISION_PART_PATTERN = /^[A-Za-z0-9]{1,3}$/;
export const REGION_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/** True for a well-formed ISO 3166-1 alpha-2 code (any case); says nothing about whether it is assigned. */
export const isCountryCode = (value: string): boolean => COUNTRY_PATTERN.test(value);

/** True for a well-formed region id (lower-case letters, digits, hyphens). */
export const isRegionId = (value: string): boolean => REGION_PATTERN.test(value);

/** The region a country (and optionally one of its subdivisions) belongs to, or `global`. */
export const regionOfLocation = (country: string, subdivision: string | undefined, catalogue: RegionCatalogue): RegionId => {
  const countryCode = country.toUpperCase();
  if (subdivision !== undefined) {
    const fromSubdivision = catalogue.subdivisions[subdivision.toUpperCase()];
    if (fromSubdivision !== undefined) return fromSubdivision;
  }
  return catalogue.countries[countryCode] ?? GLOBAL_REGION;
};

const servedOrGlobal = (region: RegionId, served: readonly string[]): RegionId =>
  served.includes(region) ? region : GLOBAL_REGION;

const explicitCountry = (input: RegionInput): { country: string; subdivision?: string } | undefined => {
  const { country, subdivision } = input;
  if (country !== undefined && !isCountryCode(country)) {
    throw new InvalidInputError('country must be an ISO 3166-1 alpha-2 code such as DE', [
      { path: 'country', message: 'expected two letters' },
    ]);
  }
  if (subdivision === undefined) return country === undefined ? undefined : { country };
  const match = SUBDIVISION_PATTERN.exec(subdivision);
  if (!match) {
    throw new InvalidInputError('subdivision must be an ISO 3166-2 code such as CA-QC', [
      { path: 'subdivision', message: 'expected <country>-<code>' },
    ]);
  }
  const subdivisionCountry = match[1]!;
  if (country !== undefined && subdivisionCountry.toUpperCase() !== country.toUpperCase()) {
    throw new InvalidInputError('subdivision does not belong to country', [
      { path: 'subdivision', message: 'country part differs from country' },
    ]);
  }
  return { country: subdivisionCountry, subdivision };
};

const geoLocation = (input: RegionInput): { country: string; subdivision?: string } | undefined => {
  const country = input.geoCountry?.trim();
  if (country === undefined || !isCountryCode(country)) return undefined;
  const part = input.geoSubdivision?.trim();
  if (part === undefined || part === '') return { country };
  if (SUBDIVISION_PART_PATTERN.test(part)) return { country, subdivision: `${country}-${part}` };
  const full = SUBDIVISION_PATTERN.exec(part);
  if (full && full[1]!.toUpperCase() === country.toUpperCase()) return { country, subdivision: part };
  return { country };
};

/**
 * Resolve the region to serve. Precedence: `region` > `country`/`subdivision` > `x-notice-region`
 * > geo headers > `global`. Malformed explicit input throws `InvalidInputError`; an explicit region
 * the notice does not serve throws `UnprocessableError`; a well-formed unknown country is `global`.
 */
export const resolveRegion = (input: RegionInput, catalogue: RegionCatalogue, served: readonly string[]): ResolvedRegion => {
  const explicitRegion = input.region?.toLowerCase();
  if (explicitRegion !== undefined && !isRegionId(explicitRegion)) {
    throw new InvalidInputError('region must be a region id such as eea', [{ path: 'region', message: 'malformed region id' }]);
  }
  // Validate the country even when a region wins, so malformed input is always refused.
  const location = explicitCountry(input);
  if (explicitRegion !== undefined) {
    if (!served.includes(explicitRegion)) throw new UnprocessableError(`this notice is not served for region ${explicitRegion}`);
    return { region: explicitRegion, source: 'region' };
  }
  if (location) {
    return { region: servedOrGlobal(regionOfLocation(location.country, location.subdivision, catalogue), served), source: 'country' };
  }
  const edgeRegion = input.geoRegion?.trim().toLowerCase();
  if (edgeRegion !== undefined && isRegionId(edgeRegion) && served.includes(edgeRegion)) {
    return { region: edgeRegion, source: 'geo' };
  }
  const geo = geoLocation(input);
  if (geo) return { region: servedOrGlobal(regionOfLocation(geo.country, geo.subdivision, catalogue), served), source: 'geo' };
  return { region: GLOBAL_REGION, source: 'default' };
};

/** The catalogue's default language for a region (`kr` → `ko`), if it names one. */
export const regionDefaultLanguage = (region: RegionId, catalogue: RegionCatalogue): string | undefined =>
  catalogue.regions.find((definition) => definition.id === region)?.defaultLanguage;
