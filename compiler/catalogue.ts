/** Compiles `templates/regions.yaml` into the `RegionCatalogue` of the artifact. */
import countries from 'i18n-iso-countries';
import type { ProblemCollector } from './errors.ts';
import { parseYamlFile } from './parse-yaml.ts';
import { regionsFileSchema } from './schemas.ts';
import type { RegionCatalogue, RegionDefinition } from '../functions/core/content.ts';

/** The region every caller falls back to; it has no sections of its own. */
export const GLOBAL_REGION = 'global';

const SUBDIVISION = /^(?<country>[A-Z]{2})-[A-Z0-9]{1,3}$/;
/** User-assigned ISO codes in real use (Kosovo) that the ISO list does not carry. */
const USER_ASSIGNED_COUNTRIES = new Set(['XK']);

const isCountryCode = (code: string): boolean =>
  /^[A-Z]{2}$/.test(code) && (USER_ASSIGNED_COUNTRIES.has(code) || countries.isValid(code));

/** Parses and checks the catalogue; returns undefined (with problems added) when it is wrong. */
export const compileCatalogue = (file: string, text: string, problems: ProblemCollector): RegionCatalogue | undefined => {
  const parsed = parseYamlFile(file, text, regionsFileSchema, problems);
  if (!parsed) return undefined;
  const before = problems.count;

  const regions: RegionDefinition[] = [];
  const countryMap: Record<string, string> = {};
  const subdivisionMap: Record<string, string> = {};
  const seenRegions = new Set<string>();

  parsed.value.regions.forEach((region, index) => {
    if (seenRegions.has(region.id)) {
      problems.add(file, parsed.lineOf(['regions', index, 'id']), `duplicate region '${region.id}'`);
      return;
    }
    seenRegions.add(region.id);
    regions.push({ id: region.id, name: region.name, ...(region.defaultLanguage ? { defaultLanguage: region.defaultLanguage } : {}) });

    region.countries.forEach((code, at) => {
      const line = parsed.lineOf(['regions', index, 'countries', at]);
      if (!isCountryCode(code)) problems.add(file, line, `'${code}' is not an ISO 3166-1 alpha-2 country code`);
      else if (countryMap[code] !== undefined) problems.add(file, line, `country ${code} is already in region '${countryMap[code]}'`);
      else countryMap[code] = region.id;
    });
    region.subdivisions.forEach((code, at) => {
      const line = parsed.lineOf(['regions', index, 'subdivisions', at]);
      const country = SUBDIVISION.exec(code)?.groups?.country;
      if (!country || !isCountryCode(country)) problems.add(file, line, `'${code}' is not an ISO 3166-2 subdivision code (e.g. CA-QC)`);
      else if (subdivisionMap[code] !== undefined) problems.add(file, line, `subdivision ${code} is already in region '${subdivisionMap[code]}'`);
      else subdivisionMap[code] = region.id;
    });
  });

  if (problems.count > before) return undefined;
  return { regions, countries: sortKeys(countryMap), subdivisions: sortKeys(subdivisionMap) };
};

/** The regions a notice is served in: `global` first, then the catalogue's, in catalogue order. */
export const servedRegions = (catalogue: RegionCatalogue): string[] => [
  GLOBAL_REGION,
  ...catalogue.regions.map((region) => region.id).filter((id) => id !== GLOBAL_REGION),
];

const sortKeys = (record: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.keys(record).sort().map((key) => [key, record[key] as string]));
