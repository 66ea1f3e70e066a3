/**
 * The authoring workflow: `new-version` scaffolds v3 from v2, validate refuses the placeholder
 * date and a change made in one language only, passes once the author has done what is asked,
 * and publish refuses a past effective date and a lowering change with too little notice.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../bin/commands/build.ts';
import { runNewVersion } from '../../bin/commands/new-version.ts';
import { runPublish } from '../../bin/commands/publish.ts';
import { runValidate } from '../../bin/commands/validate.ts';
import { fixedClock } from '../../functions/core/clock.ts';

const TEMPLATES = join(import.meta.dirname, '../../templates');
const scratch = mkdtempSync(join(tmpdir(), 'disclosure-new-version-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const capture = (): CommandIo & { out: string; err: string } => {
  const io = { out: '', err: '', stdout: (text: string) => { io.out += text; }, stderr: (text: string) => { io.err += text; } };
  return io;
};
const edit = (file: string, from: string, to: string): void => {
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
};

describe('Command: new-version, then validate and publish', () => {
  const dir = join(scratch, 'templates');
  cpSync(TEMPLATES, dir, { recursive: true });
  const v2 = join(dir, 'notices/privacy/v2');
  const v3 = join(dir, 'notices/privacy/v3');
  const yamlFile = join(v3, 'version.yaml');

  it('scaffolds v3 from v2: every language copied, every section listed for the author, the date a placeholder', () => {
    const io = capture();
    expect(runNewVersion('privacy', { templates: dir }, io)).toBe(0);
    expect(io.out).toMatch(/scaffolded .*v3 from v2 \(en, ja, ko\)/);
    for (const language of ['en', 'ja', 'ko']) expect(readFileSync(join(v3, `${language}.md`), 'utf8')).toBe(readFileSync(join(v2, `${language}.md`), 'utf8'));
    const yaml = readFileSync(yamlFile, 'utf8');
    expect(yaml).toMatch(/^effectiveDate: YYYY-MM-DD$/m);
    const sections = [...readFileSync(join(v2, 'en.md'), 'utf8').matchAll(/\{#([a-z0-9-]+)/g)].map((match) => match[1]);
    expect(sections).toHaveLength(16);
    for (const id of sections) expect(yaml).toMatch(new RegExp(`^  # ${id}: +# `, 'm'));
    expect(existsSync(join(v3, 'published.lock.json'))).toBe(false);
    // One draft at a time: v4 is not scaffolded from the draft v3.
    const again = capture();
    expect(runNewVersion('privacy', { templates: dir }, again)).toBe(1);
    expect(again.err).toMatch(/privacy v3 is still a draft/);
  });

  it('validate refuses the placeholder date, at its line', () => {
    const io = capture();
    expect(runValidate({ templates: dir }, io)).toBe(1);
    const line = readFileSync(yamlFile, 'utf8').split('\n').findIndex((text) => text.startsWith('effectiveDate:')) + 1;
    expect(io.err).toContain(`${yamlFile}:${line}: effectiveDate: still the placeholder new-version wrote`);
  });

  it('validate passes once the date is set', () => {
    edit(yamlFile, 'effectiveDate: YYYY-MM-DD', 'effectiveDate: 2027-09-01');
    const io = capture();
    expect(runValidate({ templates: dir }, io)).toBe(0);
  });

  it('validate refuses a declared change made in English only, naming the notice, version, section and each language left out', () => {
    edit(join(v3, 'en.md'), 'children under 16', 'children under 18');
    edit(yamlFile, '  # children:', '  children:\n    kind: material\n    effect: raises\n    scope: new-data\n    summary: { en: We protect children up to 18., ja: 18 歳未満に広げます。, ko: 18세 미만으로 넓힙니다. }\n  # (was) children:');
    const io = capture();
    expect(runValidate({ templates: dir }, io)).toBe(1);
    for (const language of ['ja', 'ko']) {
      expect(io.err).toMatch(new RegExp(`v3/${language}\\.md:\\d+: notice 'privacy' v3 declares a change to 'children' and its text changed in en, but not in '${language}'`));
    }
  });

  it('validate passes when every language carries the change', () => {
    edit(join(v3, 'ja.md'), '16 歳未満', '18 歳未満');
    edit(join(v3, 'ko.md'), '16세 미만', '18세 미만');
    const io = capture();
    expect(runValidate({ templates: dir }, io)).toBe(0);
    expect(io.out).toContain('1 notice(s), 3 version(s)');
  });

  it('publish refuses a past effective date', () => {
    const io = capture();
    expect(runPublish('privacy', '3', { templates: dir }, io, { clock: fixedClock('2027-09-02T00:00:00Z') })).toBe(1);
    expect(io.err).toMatch(/effectiveDate 2027-09-01 is not in the future/);
  });

  it('publish refuses a change that lowers protection with less than the notice period, and accepts it with enough', () => {
    edit(yamlFile, '    effect: raises\n', '    effect: lowers\n');
    const io = capture();
    expect(runPublish('privacy', '3', { templates: dir }, io, { clock: fixedClock('2027-08-20T00:00:00Z') })).toBe(1);
    expect(io.err).toMatch(/children lowers protection, so the effective date must be at least 30 days ahead; 2027-09-01 is 12 day\(s\) away/);
    const ok = capture();
    expect(runPublish('privacy', '3', { templates: dir }, ok, { clock: fixedClock('2027-07-01T00:00:00Z') })).toBe(0);
    expect(existsSync(join(v3, 'published.lock.json'))).toBe(true);
  });
});
