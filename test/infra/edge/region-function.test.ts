/**
 * The generated CloudFront Function, evaluated in a `node:vm` context the way CloudFront runs it:
 * a plain script whose global `handler(event)` receives a viewer-request event.
 */
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompiledContent, RegionCatalogue } from '../../../functions/core/content.ts';
import { negotiateLanguage } from '../../../functions/core/language.ts';
import { regionOfLocation } from '../../../functions/core/regions.ts';
import { platformContentOf } from '../../../lib/disclosure-platform-props.ts';
import {
  MAX_FUNCTION_CODE_BYTES,
  REGION_HEADER,
  RegionFunctionTooLargeError,
  regionFunctionCode,
  type RegionFunctionInput,
} from '../../../lib/edge/region-function.ts';

interface HeaderValue { value: string }
interface ViewerRequest { method: string; uri: string; querystring: Record<string, HeaderValue>; headers: Record<string, HeaderValue>; cookies: Record<string, HeaderValue> }
type Handler = (event: { version: string; context: Record<string, string>; viewer: { ip: string }; request: ViewerRequest }) => ViewerRequest;

/** A small catalogue with the shapes that matter: country entries, a subdivision pulled in, one taken out. */
const fixtureCatalogue: RegionCatalogue = {
  regions: [
    { id: 'eea', name: { en: 'EEA' } },
    { id: 'ca', name: { en: 'Canada' } },
    { id: 'jp', name: { en: 'Japan' } },
    { id: 'kr', name: { en: 'Korea' } },
    { id: 'qc', name: { en: 'Québec' } },
  ],
  countries: { DE: 'eea', FR: 'eea', ES: 'eea', NO: 'eea', GF: 'eea', JP: 'jp', KR: 'kr', CA: 'ca' },
  subdivisions: { 'ES-CN': 'eea', 'NO-21': 'global', 'FR-BL': 'global', 'CA-QC': 'qc' },
};
const fixtureInput: RegionFunctionInput = { catalogue: fixtureCatalogue, languages: ['en', 'ja'], defaultLanguage: 'en' };

const realContent = JSON.parse(readFileSync(new URL('../../../.build/content.json', import.meta.url), 'utf8')) as CompiledContent;

/** Evaluates the generated source as CloudFront would and returns its `handler`. */
const load = (input: RegionFunctionInput): Handler => {
  const context = vm.createContext({});
  vm.runInContext(regionFunctionCode(input), context, { filename: 'region-function.js' });
  return context['handler'] as Handler;
};

const viewerRequest = (headers: Record<string, string>): Parameters<Handler>[0] => ({
  version: '1.0',
  context: { eventType: 'viewer-request', distributionId: 'E123' },
  viewer: { ip: '192.0.2.1' },
  request: {
    method: 'GET',
    uri: '/v1/notices/privacy',
    querystring: {},
    headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, { value }])),
    cookies: {},
  },
});

const run = (handler: Handler, headers: Record<string, string>): { region: string | undefined; language: string | undefined } => {
  const request = handler(viewerRequest(headers));
  return { region: request.headers[REGION_HEADER]?.value, language: request.headers['accept-language']?.value };
};

describe('Function: regionFunctionCode', () => {
  const handler = load(fixtureInput);

  describe('region from CloudFront-Viewer-Country (+ -Region)', () => {
    it.each([
      ['DE', undefined, 'eea'],
      ['JP', undefined, 'jp'],
      ['KR', undefined, 'kr'],
      ['NO', undefined, 'eea'],
      ['CH', undefined, 'global'],
      ['GF', undefined, 'eea'],
      ['ZZ', undefined, 'global'],
      // A subdivision without an entry keeps its country's region.
      ['FR', 'IDF', 'eea'],
      ['ES', 'M', 'eea'],
      // Subdivision entries win over the country, in both directions.
      ['ES', 'CN', 'eea'],
      ['CA', 'QC', 'qc'],
      ['CA', 'ON', 'ca'],
      ['NO', '21', 'global'],
      ['FR', 'BL', 'global'],
    ])('%s / %s → %s', (country, subdivision, expected) => {
      // prepare
      const headers: Record<string, string> = { 'cloudfront-viewer-country': country };
      if (subdivision) headers['cloudfront-viewer-country-region'] = subdivision;
      // act
      const { region } = run(handler, headers);
      // assess
      expect(region).toBe(expected);
    });

    it('serves global when the geo header is missing or malformed', () => {
      expect(run(handler, {}).region).toBe('global');
      expect(run(handler, { 'cloudfront-viewer-country': 'DEU' }).region).toBe('global');
      expect(run(handler, { 'cloudfront-viewer-country': '' }).region).toBe('global');
      expect(run(handler, { 'cloudfront-viewer-country': 'NO', 'cloudfront-viewer-country-region': '21;x' }).region).toBe('eea');
    });

    it('ignores a region header sent by the viewer, so nobody can pick another cache entry', () => {
      const { region } = run(handler, { 'cloudfront-viewer-country': 'JP', [REGION_HEADER]: 'eea' });
      expect(region).toBe('jp');
    });

    it('falls back to the country when the subdivision part is malformed', () => {
      expect(run(handler, { 'cloudfront-viewer-country': 'CA', 'cloudfront-viewer-country-region': 'QUEB' }).region).toBe('ca');
      expect(run(handler, { 'cloudfront-viewer-country': 'es', 'cloudfront-viewer-country-region': 'cn' }).region).toBe('eea');
    });
  });

  describe('Accept-Language normalised to one content language', () => {
    it.each([
      ['ja-JP,en;q=0.5', 'ja'],
      ['en-GB,en;q=0.9', 'en'],
      ['fr-FR,fr;q=0.9', 'en'],
      ['fr-FR,ja;q=0.2', 'ja'],
      ['*', 'en'],
      ['ja;q=0, *', 'en'],
      ['en;q=0,ja;q=0.1', 'ja'],
      ['JA', 'ja'],
      ['ja;q=abc', 'en'],
      [',,;', 'en'],
      ['', 'en'],
    ])('%j → %s', (acceptLanguage, expected) => {
      expect(run(handler, { 'accept-language': acceptLanguage }).language).toBe(expected);
    });

    it('sets the default language when the viewer sends none', () => {
      expect(run(handler, {}).language).toBe('en');
    });

    it('agrees with functions/core/language.ts on well-formed headers', () => {
      const range = fc.constantFrom('en', 'ja', 'fr', 'de', 'en-US', 'en-GB', 'ja-JP', 'fr-CA', '*');
      const weighted = fc.tuple(range, fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }))
        .map(([tag, q]) => (q === undefined ? tag : `${tag};q=${(q / 1000).toFixed(3)}`));
      const edges: Record<string, Handler> = { en: load(fixtureInput), ja: load({ ...fixtureInput, defaultLanguage: 'ja' }) };
      fc.assert(
        fc.property(fc.array(weighted, { minLength: 1, maxLength: 6 }), fc.constantFrom('en', 'ja'), (ranges, defaultLanguage) => {
          const header = ranges.join(', ');
          const edge = edges[defaultLanguage]!;
          const normalised = run(edge, { 'accept-language': header }).language;
          const direct = negotiateLanguage({ acceptLanguage: header }, ['en', 'ja'], defaultLanguage);
          expect(normalised).toBe(direct);
          // The origin sees the normalised header: it must negotiate to the same language again.
          expect(negotiateLanguage({ acceptLanguage: normalised }, ['en', 'ja'], defaultLanguage)).toBe(direct);
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('generated from the real catalogue', () => {
    const content = platformContentOf(realContent);
    const code = regionFunctionCode(content);
    const realHandler = load(content);

    it('fits CloudFront’s 10 KB function limit', () => {
      expect(Buffer.byteLength(code, 'utf8')).toBeLessThanOrEqual(MAX_FUNCTION_CODE_BYTES);
    });

    it('maps every catalogue entry exactly as the core does', () => {
      const { countries, subdivisions } = content.catalogue;
      for (const country of Object.keys(countries)) {
        expect(run(realHandler, { 'cloudfront-viewer-country': country }).region, country).toBe(regionOfLocation(country, undefined, content.catalogue));
      }
      for (const code of Object.keys(subdivisions)) {
        const [country, part] = code.split('-') as [string, string];
        const headers = { 'cloudfront-viewer-country': country, 'cloudfront-viewer-country-region': part };
        expect(run(realHandler, headers).region, code).toBe(regionOfLocation(country, code, content.catalogue));
      }
    });

    it('serves the sample regions for DE, JP, KR, CH and NO', () => {
      expect(run(realHandler, { 'cloudfront-viewer-country': 'DE' }).region).toBe('eea');
      expect(run(realHandler, { 'cloudfront-viewer-country': 'JP' }).region).toBe('jp');
      expect(run(realHandler, { 'cloudfront-viewer-country': 'KR' }).region).toBe('kr');
      expect(run(realHandler, { 'cloudfront-viewer-country': 'CH' }).region).toBe('global');
      expect(run(realHandler, { 'cloudfront-viewer-country': 'NO' }).region).toBe('eea');
      expect(run(realHandler, { 'cloudfront-viewer-country': 'ES', 'cloudfront-viewer-country-region': 'CN' }).region).toBe('eea');
    });
  });

  it('is the same code whatever order the catalogue lists its entries in', () => {
    const reversed: RegionCatalogue = {
      ...fixtureCatalogue,
      countries: Object.fromEntries(Object.entries(fixtureCatalogue.countries).reverse()),
      subdivisions: Object.fromEntries(Object.entries(fixtureCatalogue.subdivisions).reverse()),
    };
    expect(regionFunctionCode({ ...fixtureInput, catalogue: reversed })).toBe(regionFunctionCode(fixtureInput));
  });

  it('refuses a catalogue whose function CloudFront would reject', () => {
    const countries = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`X${i}`, 'eea']));
    expect(() => regionFunctionCode({ ...fixtureInput, catalogue: { ...fixtureCatalogue, countries } })).toThrow(RegionFunctionTooLargeError);
  });
});
