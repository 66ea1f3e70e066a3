import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContent } from '../../../compiler/build.ts';
import { diffVersions } from '../../../functions/content/diff.ts';
import type { CompiledNotice } from '../../../functions/core/content.ts';
import { InvalidInputError, NotFoundError } from '../../../functions/core/errors.ts';
import { removeTemplateDirs, validTemplates, writeTemplates } from '../compiler/template-fixture.ts';

afterAll(removeTemplateDirs);

describe('Function: diffVersions', () => {
  let notice: CompiledNotice;
  beforeAll(() => {
    notice = buildContent({ templatesDir: writeTemplates(validTemplates()) }).notices[0] as CompiledNotice;
  });

  it('marks each section of the variant changed or unchanged, with before/after and its declared change', () => {
    const diff = diffVersions(notice, 1, 2, 'eea', 'en');
    expect(diff).toMatchObject({ noticeId: 'demo', from: 1, to: 2, fromEffectiveDate: '2026-03-01', toEffectiveDate: '2027-02-01', region: 'eea', language: 'en' });
    expect(diff.sections.map((section) => [section.id, section.status])).toEqual([
      ['who-we-are', 'changed'], ['retention', 'unchanged'], ['eea-residents', 'changed'],
    ]);
    const eea = diff.sections[2];
    expect(eea?.before).toBe('Our EEA controller is Example B.V.');
    expect(eea?.after).toContain('36 months');
    expect(eea?.change).toMatchObject({ sectionId: 'eea-residents', kind: 'material', effect: 'lowers', scope: 'previously-collected' });
    expect(diff.sections[1]?.change).toBeNull();
  });

  it('only covers the sections of the requested region', () => {
    expect(diffVersions(notice, 1, 2, 'global', 'ja').sections.map((section) => section.id)).toEqual(['who-we-are', 'retention']);
  });

  it('reports added and removed sections, a removed one where it stood', () => {
    const files = validTemplates();
    files['notices/demo/v2/en.md'] = (files['notices/demo/v2/en.md'] as string).replace('## Retention {#retention}\n\nWe keep logs for 13 months.\n\n', '') + '\n## Cookies {#cookies}\n\nWe use cookies.\n';
    files['notices/demo/v2/ja.md'] = (files['notices/demo/v2/ja.md'] as string).replace('## 保存期間 {#retention}\n\nログを 13 か月間保存します。\n\n', '') + '\n## クッキー {#cookies}\n\nクッキーを使用します。\n';
    files['notices/demo/v2/version.yaml'] += '  retention:\n    kind: material\n    effect: neutral\n    scope: new-data\n    summary: { en: Removed., ja: 削除。 }\n  cookies:\n    kind: material\n    effect: neutral\n    scope: new-data\n    summary: { en: Added., ja: 追加。 }\n';
    const changed = buildContent({ templatesDir: writeTemplates(files) }).notices[0] as CompiledNotice;
    const diff = diffVersions(changed, 1, 2, 'jp', 'en');
    expect(diff.sections.map((section) => [section.id, section.status])).toEqual([
      ['who-we-are', 'changed'], ['retention', 'removed'], ['jp-residents', 'unchanged'], ['cookies', 'added'],
    ]);
    expect(diff.sections[1]).toMatchObject({ before: 'We keep logs for 13 months.', after: null, change: { effect: 'neutral' } });
    expect(diff.sections[3]).toMatchObject({ before: null, after: 'We use cookies.', title: 'Cookies' });
  });

  it('compares a version with itself as unchanged throughout', () => {
    expect(diffVersions(notice, 2, 2, 'jp', 'ja').sections.every((section) => section.status === 'unchanged' && section.changes.length === 0)).toBe(true);
  });

  it('refuses unknown versions, variants and a reversed range with domain errors', () => {
    expect(() => diffVersions(notice, 1, 3, 'eea', 'en')).toThrow(NotFoundError);
    expect(() => diffVersions(notice, 1, 2, 'kr', 'en')).toThrow(NotFoundError);
    expect(() => diffVersions(notice, 1, 2, 'eea', 'fr')).toThrow(NotFoundError);
    expect(() => diffVersions(notice, 2, 1, 'eea', 'en')).toThrow(InvalidInputError);
  });
});
