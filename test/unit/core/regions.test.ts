import { readFileSync } from 'node:fs';
import countries from 'i18n-iso-countries';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { RegionCatalogue } from '../../../functions/core/content.ts';
import { InvalidInputError, UnprocessableError } from '../../../functions/core/errors.ts';
import { GLOBAL_REGION, resolveRegion } from '../../../functions/core/regions.ts';

interface RegionsFile {
  regions: { id: string; name: Record<string, string>; countries: string[]; subdivisions: string[] }[];
}

// The catalogue source itself, compiled the way the content build does: these tests prove the data.
const source = parse(readFileSync(new URL('../../../templates/regions.yaml', import.meta.url), 'utf8')) as RegionsFile;
const catalogue: RegionCatalogue = {
  regions: source.regions.map(({ id, name }) => ({ id, name })),
  countries: Object.fromEntries(source.regions.flatMap((r) => r.countries.map((c) => [c, r.id]))),
  subdivisions: Object.fromEntries(source.regions.flatMap((r) => r.subdivisions.map((s) => [s, r.id]))),
};
const served = ['global', 'ca', 'eea', 'jp', 'kr'];
const byCountry = (country: string) => resolveRegion({ country }, catalogue, served).region;
const bySubdivision = (subdivision: string) => resolveRegion({ subdivision }, catalogue, served).region;

const EU_MEMBER_STATES = ['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE'];
const EEA_EFTA_STATES = ['IS', 'LI', 'NO'];
const EU_TERRITORIES_WITH_OWN_CODE = ['GF', 'GP', 'MQ', 'RE', 'YT', 'MF', 'AX'];
const CONFUSED_NON_MEMBERS = ['CH', 'GB', 'GI', 'IM', 'JE', 'GG', 'GL', 'FO', 'SJ', 'AD', 'MC', 'SM', 'VA', 'BL', 'PM', 'PF', 'NC', 'WF', 'TF', 'AW', 'CW', 'SX', 'BQ', 'XK', 'TR', 'UA', 'RS', 'AL', 'MD'];

describe('Catalogue: templates/regions.yaml', () => {
  it('uses only assigned ISO 3166-1 codes, for countries and for the country part of subdivisions', () => {
    const codes = source.regions.flatMap((r) => [...r.countries, ...r.subdivisions.map((s) => s.split('-')[0]!)]);
    const invalid = codes.filter((code) => !countries.isValid(code));
    expect(codes.length).toBeGreaterThan(40);
    expect(invalid).toEqual([]);
  });

  it('writes subdivisions as <country>-<1..3 alphanumerics>', () => {
    const subdivisions = source.regions.flatMap((r) => r.subdivisions);
    expect(subdivisions.filter((s) => !/^[A-Z]{2}-[A-Z0-9]{1,3}$/.test(s))).toEqual([]);
  });

  it('names each country and subdivision once', () => {
    const all = source.regions.flatMap((r) => [...r.countries, ...r.subdivisions]);
    expect(all.length).toBe(new Set(all).size);
  });

  it('defines the sample regions with English, Japanese and Korean names', () => {
    expect(source.regions.map((r) => r.id)).toEqual(expect.arrayContaining(['eea', 'ca', 'jp', 'kr']));
    for (const region of source.regions) expect(Object.keys(region.name).sort()).toEqual(['en', 'ja', 'ko']);
  });

  it('puts exactly the EU 27, the EEA EFTA states and the EU territories with their own code in eea', () => {
    const eea = source.regions.find((r) => r.id === 'eea')!;
    expect([...eea.countries].sort()).toEqual([...EU_MEMBER_STATES, ...EEA_EFTA_STATES, ...EU_TERRITORIES_WITH_OWN_CODE].sort());
  });
});

describe('Function: resolveRegion', () => {
  describe('EEA membership', () => {
    it.each(EU_MEMBER_STATES)('serves EU member state %s the eea variant', (country) => {
      expect(byCountry(country)).toBe('eea');
    });

    it.each(EEA_EFTA_STATES)('serves EEA EFTA state %s the eea variant', (country) => {
      expect(byCountry(country)).toBe('eea');
    });

    it.each(EU_TERRITORIES_WITH_OWN_CODE)('serves EU territory %s (own ISO code) the eea variant', (country) => {
      expect(byCountry(country)).toBe('eea');
    });

    it.each(CONFUSED_NON_MEMBERS)('serves %s, often confused with the EEA, the global variant', (country) => {
      expect(byCountry(country)).toBe(GLOBAL_REGION);
    });

    it.each(['ES-CN', 'ES-CE', 'ES-ML', 'PT-20', 'PT-30', 'FI-01'])('serves EU subdivision %s the eea variant', (subdivision) => {
      expect(bySubdivision(subdivision)).toBe('eea');
    });

    it.each(['NO-21', 'FR-NC', 'FR-PF', 'FR-WF', 'FR-PM', 'FR-BL', 'FR-TF', 'NL-AW', 'NL-CW', 'NL-SX', 'NL-BQ1', 'NL-BQ2', 'NL-BQ3'])(
      'takes %s, a subdivision of an EEA country outside EU law, out of eea',
      (subdivision) => {
        expect(bySubdivision(subdivision)).toBe(GLOBAL_REGION);
      },
    );

    it('keeps an ordinary subdivision of an EEA country in eea (its country entry applies)', () => {
      expect(bySubdivision('FR-75')).toBe('eea');
      expect(bySubdivision('NO-03')).toBe('eea');
    });
  });

  describe('the other regions', () => {
    it.each([
      ['CA', 'ca'],
      ['JP', 'jp'],
      ['KR', 'kr'],
      ['KP', 'global'],
      ['US', 'global'],
      ['CN', 'global'],
      ['TW', 'global'],
    ])('serves %s the %s variant', (country, region) => {
      expect(byCountry(country)).toBe(region);
    });

    it('serves Québec the ca variant through its country', () => {
      expect(bySubdivision('CA-QC')).toBe('ca');
    });
  });

  describe('input forms', () => {
    it('accepts lower-case country codes', () => {
      expect(byCountry('de')).toBe('eea');
    });

    it('serves a well-formed but unknown country the global variant', () => {
      expect(resolveRegion({ country: 'ZZ' }, catalogue, served)).toEqual({ region: 'global', source: 'country' });
    });

    it.each(['', 'D', 'DEU', 'D1', '1A', 'D E', 'ÄÖ', 'DE,JP', ' DE'])('refuses the malformed country %j', (country) => {
      expect(() => resolveRegion({ country }, catalogue, served)).toThrow(InvalidInputError);
    });

    it.each(['CA', 'CA-', 'CA-QCXX', 'CAN-QC', '-QC', 'CA_QC'])('refuses the malformed subdivision %j', (subdivision) => {
      expect(() => resolveRegion({ subdivision }, catalogue, served)).toThrow(InvalidInputError);
    });

    it('refuses a subdivision that belongs to another country than the one given', () => {
      expect(() => resolveRegion({ country: 'FR', subdivision: 'ES-CN' }, catalogue, served)).toThrow(InvalidInputError);
    });

    it('lets a subdivision win over its country', () => {
      expect(resolveRegion({ country: 'NO', subdivision: 'NO-21' }, catalogue, served).region).toBe('global');
    });

    it.each(['EEA!', 'e e a', '1eea', 'x'.repeat(40)])('refuses the malformed region %j', (region) => {
      expect(() => resolveRegion({ region }, catalogue, served)).toThrow(InvalidInputError);
    });

    it('refuses an explicit region the notice does not serve', () => {
      expect(() => resolveRegion({ region: 'us' }, catalogue, served)).toThrow(UnprocessableError);
    });

    it('accepts an explicit region in any case', () => {
      expect(resolveRegion({ region: 'EEA' }, catalogue, served)).toEqual({ region: 'eea', source: 'region' });
    });

    it('serves global when the catalogue region of a country is not served by the notice', () => {
      expect(resolveRegion({ country: 'DE' }, catalogue, ['global', 'jp'])).toEqual({ region: 'global', source: 'country' });
    });
  });

  describe('precedence: region > country > x-notice-region > geo headers > global', () => {
    it('prefers the explicit region to everything else', () => {
      const input = { region: 'kr', country: 'DE', geoRegion: 'jp', geoCountry: 'CA' };
      expect(resolveRegion(input, catalogue, served)).toEqual({ region: 'kr', source: 'region' });
    });

    it('still refuses a malformed country when a region is given', () => {
      expect(() => resolveRegion({ region: 'kr', country: 'DEU' }, catalogue, served)).toThrow(InvalidInputError);
    });

    it('prefers the country to the geo headers', () => {
      expect(resolveRegion({ country: 'JP', geoRegion: 'eea', geoCountry: 'DE' }, catalogue, served)).toEqual({ region: 'jp', source: 'country' });
    });

    it('prefers x-notice-region (the CDN cache key) to the raw geo headers', () => {
      expect(resolveRegion({ geoRegion: 'eea', geoCountry: 'KR' }, catalogue, served)).toEqual({ region: 'eea', source: 'geo' });
    });

    it('uses the geo country header when nothing else is given', () => {
      expect(resolveRegion({ geoCountry: 'KR' }, catalogue, served)).toEqual({ region: 'kr', source: 'geo' });
    });

    it('joins CloudFront-Viewer-Country-Region (subdivision part only) to the country', () => {
      expect(resolveRegion({ geoCountry: 'NO', geoSubdivision: '21' }, catalogue, served).region).toBe('global');
      expect(resolveRegion({ geoCountry: 'ES', geoSubdivision: 'CN' }, catalogue, served).region).toBe('eea');
      expect(resolveRegion({ geoCountry: 'NO', geoSubdivision: 'NO-21' }, catalogue, served).region).toBe('global');
    });

    it('ignores malformed or unserved edge headers instead of refusing the request', () => {
      expect(resolveRegion({ geoRegion: 'mars', geoCountry: 'DE' }, catalogue, served)).toEqual({ region: 'eea', source: 'geo' });
      expect(resolveRegion({ geoRegion: '!!', geoCountry: 'XXX' }, catalogue, served)).toEqual({ region: 'global', source: 'default' });
      expect(resolveRegion({ geoCountry: 'DE', geoSubdivision: '<script>' }, catalogue, served)).toEqual({ region: 'eea', source: 'geo' });
    });

    it('falls back to global with no location at all', () => {
      expect(resolveRegion({}, catalogue, served)).toEqual({ region: 'global', source: 'default' });
    });
  });
});
