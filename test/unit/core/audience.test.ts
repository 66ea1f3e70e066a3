import { describe, expect, it } from 'vitest';
import { compiledContent } from '../../../functions/content/artifact.ts';
import type { CompiledContent, DeclaredChange } from '../../../functions/core/content.ts';
import { campaignIdFor, planAudience, requiresChoice } from '../../../functions/core/audience.ts';
import { NotFoundError } from '../../../functions/core/errors.ts';

const change = (overrides: Partial<DeclaredChange>): DeclaredChange => ({
  sectionId: 'retention',
  kind: 'material',
  effect: 'lowers',
  scope: 'previously-collected',
  region: null,
  summary: { en: 'summary' },
  ...overrides,
});

/** A notice whose version 2 declares exactly `changes`. */
const contentWith = (changes: DeclaredChange[]): CompiledContent =>
  ({
    schemaVersion: 1,
    sourceHash: 'x',
    catalogue: { regions: [], countries: {}, subdivisions: {} },
    openapi: '{}',
    documentSecurityPolicy: "default-src 'none'",
    notices: [
      {
        noticeId: 'privacy',
        title: { en: 'Privacy' },
        defaultLanguage: 'en',
        regions: ['global', 'ca', 'eea', 'jp', 'kr'],
        versions: [
          { version: 1, effectiveDate: '2026-01-01', languages: ['en'], sections: [], changes: [], variants: {} },
          { version: 2, effectiveDate: '2027-02-01', languages: ['en'], sections: [], changes, variants: {} },
        ],
      },
    ],
  }) as CompiledContent;

describe('Function: planAudience', () => {
  describe('with the sample content', () => {
    it('offers a choice in eea and jp only, with all three options, by the effective date', () => {
      const plan = planAudience(compiledContent, 'privacy', 2);

      expect(plan.regions.map((r) => [r.region, r.notification])).toEqual([
        ['eea', 'choice'],
        ['jp', 'choice'],
      ]);
      expect(plan.regions[0]!.options).toEqual(['accept', 'keep-previous', 'delete']);
      const v2 = compiledContent.notices[0]!.versions.find((v) => v.version === 2)!;
      expect(plan.defaultDeadline).toBe(`${v2.effectiveDate}T00:00:00.000Z`);
    });

    it('notifies nobody for version 1 (nothing declared)', () => {
      expect(planAudience(compiledContent, 'privacy', 1).regions).toEqual([]);
    });

    it('sends nothing to ca, whose change raises protection, even with informational emails on', () => {
      const plan = planAudience(compiledContent, 'privacy', 2, { informational: true });
      expect(plan.regions.find((r) => r.region === 'ca')).toBeUndefined();
    });
  });

  it('a choice change in a common section reaches every region', () => {
    const plan = planAudience(contentWith([change({ region: null })]), 'privacy', 2);
    expect(plan.regions.map((r) => r.region)).toEqual(['global', 'ca', 'eea', 'jp', 'kr']);
    expect(plan.regions.every((r) => r.notification === 'choice')).toBe(true);
  });

  it('a choice change in a region section reaches that region only', () => {
    const plan = planAudience(contentWith([change({ region: 'kr' })]), 'privacy', 2);
    expect(plan.regions.map((r) => r.region)).toEqual(['kr']);
  });

  it.each([
    ['editorial', change({ kind: 'editorial', effect: undefined, scope: undefined })],
    ['a raise', change({ effect: 'raises' })],
  ])('notifies nobody for %s, informational or not', (_, declared) => {
    expect(planAudience(contentWith([declared]), 'privacy', 2, { informational: true }).regions).toEqual([]);
  });

  it.each([
    ['lowers new data', change({ scope: 'new-data' })],
    ['neutral', change({ effect: 'neutral' })],
  ])('sends an informational email for a material change that %s only when configured', (_, declared) => {
    expect(planAudience(contentWith([declared]), 'privacy', 2).regions).toEqual([]);
    const plan = planAudience(contentWith([declared]), 'privacy', 2, { informational: true });
    expect(plan.regions.map((r) => r.notification)).toEqual(['informational', 'informational', 'informational', 'informational', 'informational']);
    expect(plan.regions[0]!.options).toEqual([]);
  });

  it('a region with a choice change does not also get an informational email', () => {
    const plan = planAudience(contentWith([change({ region: 'eea' }), change({ region: null, scope: 'new-data' })]), 'privacy', 2, { informational: true });
    expect(plan.regions.find((r) => r.region === 'eea')).toMatchObject({ notification: 'choice' });
    expect(plan.regions.filter((r) => r.notification === 'informational').map((r) => r.region)).toEqual(['global', 'ca', 'jp', 'kr']);
  });

  it('offers only the options every applicable change allows', () => {
    const plan = planAudience(
      contentWith([change({ region: null, choices: ['accept', 'keep-previous'] }), change({ region: 'jp', choices: ['keep-previous', 'delete'] })]),
      'privacy',
      2,
    );
    expect(plan.regions.find((r) => r.region === 'jp')!.options).toEqual(['keep-previous']);
    expect(plan.regions.find((r) => r.region === 'eea')!.options).toEqual(['accept', 'keep-previous']);
  });

  it('falls back to the protective default when the changes allow no common option', () => {
    const plan = planAudience(contentWith([change({ choices: ['accept'] }), change({ sectionId: 'b', choices: ['delete'] })]), 'privacy', 2);
    expect(plan.regions[0]!.options).toEqual(['keep-previous']);
  });

  it('refuses an unknown notice or version', () => {
    expect(() => planAudience(compiledContent, 'cookies', 2)).toThrow(NotFoundError);
    expect(() => planAudience(compiledContent, 'privacy', 99)).toThrow(NotFoundError);
  });
});

describe('Function: requiresChoice', () => {
  it('is true only for material, lowering, previously collected', () => {
    expect(requiresChoice(change({}))).toBe(true);
    expect(requiresChoice(change({ scope: 'new-data' }))).toBe(false);
    expect(requiresChoice(change({ effect: 'neutral' }))).toBe(false);
    expect(requiresChoice(change({ kind: 'editorial' }))).toBe(false);
  });
});

describe('Function: campaignIdFor', () => {
  it('names one campaign per notice version', () => {
    expect(campaignIdFor('privacy', 2)).toBe('privacy-v2');
  });
});
