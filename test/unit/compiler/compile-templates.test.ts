import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildContent, buildRenderTemplates, contentIndexOf } from '../../../compiler/build.ts';
import { ContentValidationError } from '../../../compiler/errors.ts';
import type { ContentIndex } from '../../../functions/core/content.ts';

const REAL_TEMPLATES = join(import.meta.dirname, '../../../templates');
const scratchDirs: string[] = [];

/** What building the render templates of `templatesDir` throws (undefined when it builds). */
const buildFailure = (templatesDir: string): unknown => {
  try {
    buildRenderTemplates({ templatesDir });
  } catch (error) {
    return error;
  }
  return undefined;
};

const scratchTemplates = (files: Record<string, string>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'disclosure-render-templates-'));
  scratchDirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
};

afterEach(() => {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('Function: contentIndexOf (shipped templates)', () => {
  const content = buildContent({ templatesDir: REAL_TEMPLATES });
  const index: ContentIndex = contentIndexOf(content);

  it('keeps every hash, date, change and section title, and none of the rendered documents', () => {
    const serialized = JSON.stringify(index);
    expect(serialized).not.toMatch(/"(markdown|html|json|openapi)":/);
    expect(serialized.length).toBeLessThan(JSON.stringify(content).length / 10);
    expect(index.catalogue).toEqual(content.catalogue);
    for (const [n, notice] of content.notices.entries()) {
      const indexed = index.notices[n]!;
      expect(indexed.regions).toEqual(notice.regions);
      for (const [v, version] of notice.versions.entries()) {
        expect(indexed.versions[v]!.changes).toEqual(version.changes);
        expect(indexed.versions[v]!.effectiveDate).toBe(version.effectiveDate);
        for (const [key, variant] of Object.entries(version.variants)) {
          expect(indexed.versions[v]!.variants[key]!.contentHash).toBe(variant.contentHash);
          expect(indexed.versions[v]!.variants[key]!.sections.map((section) => section.title)).toEqual(variant.sections.map((section) => section.title));
        }
      }
    }
  });
});

describe('Function: buildRenderTemplates', () => {
  it('compiles the shipped email and page templates, YAML parsed', () => {
    const templates = buildRenderTemplates({ templatesDir: REAL_TEMPLATES });
    expect(Object.keys(templates.text)).toEqual(expect.arrayContaining(['emails/en/choice.html', 'emails/ja/choice.txt', 'pages/_head.html', 'pages/ja/error.html']));
    expect(Object.keys(templates.text).some((path) => path.startsWith('notices/') || path === 'regions.yaml')).toBe(false);
    expect(templates.data['emails/en/subjects.yaml']).toMatchObject({ choice: expect.any(String) });
    expect(templates.data['pages/ja/strings.yaml']).toMatchObject({ options: { accept: { label: expect.any(String) } } });
  });

  it('refuses malformed YAML with its file and line', () => {
    const dir = scratchTemplates({ 'emails/en/subjects.yaml': 'choice: ok\nchoice: twice\n', 'pages/en/choice.html': '<p>{{x}}</p>' });
    const thrown = buildFailure(dir);
    expect(thrown).toBeInstanceOf(ContentValidationError);
    expect((thrown as ContentValidationError).problems[0]).toMatchObject({ file: join(dir, 'emails/en/subjects.yaml'), line: 2, message: expect.stringContaining('malformed YAML') });
  });

  it('refuses option strings that miss an option or name one that is not defined, with the line', () => {
    // Prepare: no delete, no keep-previous description, and an option the table does not define
    const strings = [
      'options:',
      '  accept:',
      '    label: Accept',
      '    description: Everything under the new version.',
      '  keep-previous:',
      '    label: Keep',
      '  sell:',
      '    label: Sell',
      '    description: No.',
      '',
    ].join('\n');
    const dir = scratchTemplates({ 'pages/en/strings.yaml': strings, 'emails/en/strings.yaml': strings.replace('  sell:', '  delete:') });

    // Act
    const thrown = buildFailure(dir);

    // Assess: every problem at once, each on its line
    expect(thrown).toBeInstanceOf(ContentValidationError);
    expect((thrown as ContentValidationError).problems).toEqual([
      { file: join(dir, 'emails/en/strings.yaml'), line: 5, message: 'options.keep-previous.description: missing (every choice option needs its words in every language)' },
      { file: join(dir, 'pages/en/strings.yaml'), line: 1, message: 'options.delete: missing (every choice option needs its words in every language)' },
      { file: join(dir, 'pages/en/strings.yaml'), line: 1, message: "options: 'sell' is not a choice option (functions/core/choice-options.ts)" },
      { file: join(dir, 'pages/en/strings.yaml'), line: 5, message: 'options.keep-previous.description: missing (every choice option needs its words in every language)' },
    ]);
  });

  it('contributes nothing for folders that do not exist', () => {
    expect(buildRenderTemplates({ templatesDir: scratchTemplates({ 'regions.yaml': 'regions: []\n' }) })).toEqual({ schemaVersion: 1, text: {}, data: {} });
  });
});
