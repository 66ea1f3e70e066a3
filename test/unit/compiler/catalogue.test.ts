import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCatalogue, servedRegions } from '../../../compiler/catalogue.ts';
import { ContentValidationError, ProblemCollector } from '../../../compiler/errors.ts';

const compile = (text: string) => {
  const problems = new ProblemCollector();
  const catalogue = compileCatalogue('regions.yaml', text, problems);
  try {
    problems.throwIfAny();
  } catch (error) {
    return { catalogue, problems: (error as ContentValidationError).problems.map((p) => `${p.line}: ${p.message}`) };
  }
  return { catalogue, problems: [] };
};

describe('Function: compileCatalogue', () => {
  it('compiles the shipped catalogue: 30 EEA states plus EU territories, subdivisions both ways', () => {
    const { catalogue, problems } = compile(readFileSync(join(import.meta.dirname, '../../../templates/regions.yaml'), 'utf8'));
    expect(problems).toEqual([]);
    const eea = Object.entries(catalogue?.countries ?? {}).filter(([, region]) => region === 'eea').map(([code]) => code);
    expect(eea).toEqual(expect.arrayContaining(['DE', 'FR', 'IS', 'LI', 'NO', 'RE', 'AX']));
    expect(eea).not.toEqual(expect.arrayContaining(['CH']));
    expect(catalogue?.subdivisions['ES-CN']).toBe('eea');
    expect(catalogue?.subdivisions['NO-21']).toBe('global');
    expect(servedRegions(catalogue!)).toEqual(['global', 'eea', 'ca', 'jp', 'kr']);
  });

  it('accepts the user-assigned XK and sorts the maps for a deterministic artifact', () => {
    const { catalogue, problems } = compile('regions:\n  - id: west\n    name: { en: West }\n    countries: [XK, AL]\n');
    expect(problems).toEqual([]);
    expect(Object.keys(catalogue?.countries ?? {})).toEqual(['AL', 'XK']);
  });

  it('refuses a duplicate region and a subdivision listed twice, at their lines', () => {
    const { catalogue, problems } = compile([
      'regions:',
      '  - id: a',
      '    name: { en: A }',
      '    subdivisions: [CA-QC]',
      '  - id: b',
      '    name: { en: B }',
      '    subdivisions: [CA-QC]',
      '  - id: a',
      '    name: { en: A again }',
      '',
    ].join('\n'));
    expect(catalogue).toBeUndefined();
    expect(problems).toEqual(["7: subdivision CA-QC is already in region 'a'", "8: duplicate region 'a'"]);
  });
});
