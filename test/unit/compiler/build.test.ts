import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContent, serializeContent, writeContentArtifact } from '../../../compiler/build.ts';
import { contentHash } from '../../../compiler/hash.ts';
import type { CompiledContent } from '../../../functions/core/content.ts';
import { removeTemplateDirs, validTemplates, writeTemplates } from './template-fixture.ts';

const REAL_TEMPLATES = join(import.meta.dirname, '../../../templates');

afterAll(removeTemplateDirs);

describe('Function: buildContent (fixture)', () => {
  let content: CompiledContent;
  beforeAll(() => {
    content = buildContent({ templatesDir: writeTemplates(validTemplates()) });
  });

  it('compiles the catalogue, global first among the served regions', () => {
    expect(content.catalogue.countries).toEqual({ DE: 'eea', FR: 'eea', JP: 'jp' });
    expect(content.catalogue.subdivisions).toEqual({ 'ES-CN': 'eea' });
    expect(content.notices[0]?.regions).toEqual(['global', 'eea', 'jp']);
  });

  it('pre-renders every region × language variant of every version', () => {
    const notice = content.notices[0];
    expect(notice?.versions.map((version) => Object.keys(version.variants).sort())).toEqual([
      ['eea/en', 'eea/ja', 'global/en', 'global/ja', 'jp/en', 'jp/ja'],
      ['eea/en', 'eea/ja', 'global/en', 'global/ja', 'jp/en', 'jp/ja'],
    ]);
  });

  it('gives a region the common sections plus its own, and global only the common ones', () => {
    const variants = content.notices[0]?.versions[0]?.variants;
    expect(variants?.['global/en']?.sections.map((section) => section.id)).toEqual(['who-we-are', 'retention']);
    expect(variants?.['eea/ja']?.sections.map((section) => section.id)).toEqual(['who-we-are', 'retention', 'eea-residents']);
    expect(variants?.['jp/en']?.sections.map((section) => [section.id, section.region])).toEqual([
      ['who-we-are', null], ['retention', null], ['jp-residents', 'jp'],
    ]);
  });

  it('compiles the declared changes in section order, defaulting the choices of a lowering change', () => {
    expect(content.notices[0]?.versions[1]?.changes).toEqual([
      { sectionId: 'who-we-are', kind: 'editorial', region: null, summary: { en: 'Fixed a typo.', ja: '誤字を訂正しました。' } },
      {
        sectionId: 'eea-residents', kind: 'material', effect: 'lowers', scope: 'previously-collected', region: 'eea',
        summary: { en: 'Logs kept longer.', ja: 'ログの保存期間を延長します。' }, choices: ['accept', 'keep-previous', 'delete'],
      },
    ]);
    expect(content.notices[0]?.versions[0]?.changes).toEqual([]);
  });

  it('hashes each variant as the design defines it, and the JSON body carries the same hash', () => {
    const variant = content.notices[0]?.versions[1]?.variants['eea/ja'];
    const expected = contentHash({
      noticeId: 'demo', version: 2, region: 'eea', language: 'ja',
      sections: (variant?.sections ?? []).map(({ id, title, markdown }) => ({ id, title, markdown })),
    });
    expect(variant?.contentHash).toBe(expected);
    expect(variant?.contentHash).toMatch(/^[0-9a-f]{64}$/);
    const body = JSON.parse(variant?.json ?? '{}') as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['noticeId', 'version', 'effectiveDate', 'region', 'language', 'contentHash', 'sections', 'availableLanguages']);
    expect(body).toMatchObject({ noticeId: 'demo', version: 2, effectiveDate: '2027-02-01', region: 'eea', language: 'ja', contentHash: expected, availableLanguages: ['en', 'ja'] });
  });

  it('gives every variant a distinct hash', () => {
    const hashes = content.notices.flatMap((notice) => notice.versions.flatMap((version) => Object.values(version.variants).map((v) => v.contentHash)));
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('dates "last updated" from the latest version that changed the variant', () => {
    // v2 changes who-we-are (common), so every v2 variant was updated on v2's date.
    expect(content.notices[0]?.versions[1]?.variants['jp/en']?.html).toContain('<dt>Last updated</dt><dd><time datetime="2027-02-01">');
    const files = validTemplates();
    files['notices/demo/v2/version.yaml'] = 'effectiveDate: 2027-02-01\nchanges:\n  eea-residents:\n    kind: material\n    effect: lowers\n    scope: previously-collected\n    summary: { en: a, ja: b }\n';
    files['notices/demo/v2/en.md'] = (files['notices/demo/v2/en.md'] as string).replace('Example Cloud, Inc.', 'Example Cloud.');
    files['notices/demo/v2/ja.md'] = (files['notices/demo/v2/ja.md'] as string).replace('Example Cloud, Inc.', 'Example Cloud');
    const onlyEea = buildContent({ templatesDir: writeTemplates(files) }).notices[0]?.versions[1]?.variants;
    expect(onlyEea?.['jp/en']?.html).toContain('<dt>Last updated</dt><dd><time datetime="2026-03-01">');
    expect(onlyEea?.['eea/en']?.html).toContain('<dt>Last updated</dt><dd><time datetime="2027-02-01">');
  });

  it('embeds the OpenAPI document as a JSON string', () => {
    expect(JSON.parse(content.openapi)).toMatchObject({ openapi: expect.stringMatching(/^3\.1/) });
  });
});

describe('Function: buildContent (determinism)', () => {
  it('produces the same bytes for the same templates, wherever they are checked out', () => {
    const first = serializeContent(buildContent({ templatesDir: writeTemplates(validTemplates()) }));
    const second = serializeContent(buildContent({ templatesDir: writeTemplates(validTemplates()) }));
    expect(second).toBe(first);
  });

  it('changes the source hash when any source byte changes', () => {
    const files = validTemplates();
    const before = buildContent({ templatesDir: writeTemplates(files) }).sourceHash;
    files['regions.yaml'] = `${files['regions.yaml']}# a comment\n`;
    expect(buildContent({ templatesDir: writeTemplates(files) }).sourceHash).not.toBe(before);
  });
});

describe('Function: writeContentArtifact', () => {
  it('writes the artifact, then leaves identical bytes alone', () => {
    const dir = writeTemplates(validTemplates());
    const content = buildContent({ templatesDir: dir });
    const out = join(dir, 'out/content.json');
    expect(writeContentArtifact(content, out)).toBe(true);
    expect(writeContentArtifact(content, out)).toBe(false);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(JSON.parse(serializeContent(content)));
  });

  it('declares the artifact\'s type beside it, so the loaders import it typed', () => {
    // Prepare
    const dir = writeTemplates(validTemplates());
    const out = join(dir, 'out/content.json');

    // Act
    writeContentArtifact(buildContent({ templatesDir: dir }), out);

    // Assess
    const declaration = readFileSync(join(dir, 'out/content.d.json.ts'), 'utf8');
    expect(declaration).toMatch(/declare const artifact: import\('[^']*functions\/core\/content\.ts'\)\.CompiledContent;/);
    expect(declaration).toContain('export = artifact;');
  });
});

describe('Function: buildContent (shipped templates)', () => {
  let content: CompiledContent;
  beforeAll(() => {
    content = buildContent({ templatesDir: REAL_TEMPLATES });
  });

  it('ships privacy in en, ja and ko, served in global, eea, ca, jp and kr', () => {
    const privacy = content.notices.find((notice) => notice.noticeId === 'privacy');
    expect(privacy?.defaultLanguage).toBe('en');
    expect([...(privacy?.regions ?? [])].sort()).toEqual(['ca', 'eea', 'global', 'jp', 'kr']);
    expect(privacy?.versions.map((version) => [version.version, version.effectiveDate, version.languages])).toEqual([
      [1, '2026-03-01', ['en', 'ja', 'ko']],
      [2, '2027-02-01', ['en', 'ja', 'ko']],
    ]);
  });

  it('declares in v2 exactly: one common editorial fix, a raise in ca, lowers of previously collected data in eea and jp', () => {
    const changes = content.notices[0]?.versions[1]?.changes ?? [];
    const shape = changes.map(({ kind, effect, scope, region }) => ({ kind, effect, scope, region }));
    expect(shape).toHaveLength(4);
    expect(shape).toEqual(expect.arrayContaining([
      { kind: 'editorial', effect: undefined, scope: undefined, region: null },
      { kind: 'material', effect: 'raises', scope: expect.any(String), region: 'ca' },
      { kind: 'material', effect: 'lowers', scope: 'previously-collected', region: 'eea' },
      { kind: 'material', effect: 'lowers', scope: 'previously-collected', region: 'jp' },
    ]));
    for (const change of changes) expect(Object.keys(change.summary).sort()).toEqual(['en', 'ja', 'ko']);
  });

  it('has an addendum for each of ca, eea, jp and kr', () => {
    const regions = new Set(content.notices[0]?.versions[0]?.sections.map((section) => section.region));
    expect(regions).toEqual(new Set([null, 'ca', 'eea', 'jp', 'kr']));
  });
});
