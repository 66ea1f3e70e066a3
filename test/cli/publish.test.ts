import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../bin/commands/build.ts';
import { runPublish } from '../../bin/commands/publish.ts';
import { runShow } from '../../bin/commands/show.ts';
import { runValidate } from '../../bin/commands/validate.ts';
import { buildContent } from '../../compiler/build.ts';
import { fixedClock } from '../../functions/core/clock.ts';

const TEMPLATES = join(import.meta.dirname, '../../templates');
const scratch = mkdtempSync(join(tmpdir(), 'disclosure-publish-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const capture = (): CommandIo & { out: string; err: string } => {
  const io = { out: '', err: '', stdout: (text: string) => { io.out += text; }, stderr: (text: string) => { io.err += text; } };
  return io;
};

/** A copy of the repository's templates, optionally without the locks (every version a draft). */
const copyTemplates = (name: string, { drafts = false } = {}): string => {
  const dir = join(scratch, name);
  cpSync(TEMPLATES, dir, { recursive: true });
  if (drafts) for (const v of ['v1', 'v2']) rmSync(join(dir, 'notices/privacy', v, 'published.lock.json'), { force: true });
  return dir;
};

const edit = (file: string, from: string, to: string): void => {
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
};

describe('Publication locks', () => {
  it('the sample versions 1 and 2 are published and validate against their locks', () => {
    for (const v of ['v1', 'v2']) expect(existsSync(join(TEMPLATES, 'notices/privacy', v, 'published.lock.json'))).toBe(true);
    const io = capture();
    expect(runValidate({ templates: TEMPLATES }, io)).toBe(0);
  });

  it('validate refuses a rewritten published variant with the file and line of the section', () => {
    const dir = copyTemplates('rewrite');
    for (const v of ['v1', 'v2']) edit(join(dir, 'notices/privacy', v, 'en.md'), 'children under 16', 'children under 13');
    const io = capture();
    expect(runValidate({ templates: dir }, io)).toBe(1);
    const lines = io.err.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const v of ['v1', 'v2']) {
      const line = readFileSync(join(dir, 'notices/privacy', v, 'en.md'), 'utf8').split('\n').findIndex((l) => l.includes('{#children')) + 1;
      expect(lines).toContain(`${join(dir, 'notices/privacy', v, 'en.md')}:${line}: version ${v.slice(1)} is published (published.lock.json) and cannot change: section 'children' changed its text`);
    }
  });

  it('refuses a changed title and a changed effective date of a published version', () => {
    const dir = copyTemplates('metadata');
    for (const v of ['v1', 'v2']) {
      const en = join(dir, 'notices/privacy', v, 'en.md');
      const heading = readFileSync(en, 'utf8').split('\n').find((l) => l.includes('{#children'))!;
      edit(en, heading, heading.replace(/^## [^{]+/, '## Kids '));
    }
    edit(join(dir, 'notices/privacy/v1/version.yaml'), 'effectiveDate: 2026-03-01', 'effectiveDate: 2026-03-02');
    const io = capture();
    expect(runValidate({ templates: dir }, io)).toBe(1);
    expect(io.err).toMatch(/v1\/en\.md:\d+: .*section 'children' changed its title/);
    expect(io.err).toMatch(/v1\/version\.yaml:\d+: .*effectiveDate was 2026-03-01, is 2026-03-02/);
  });

  it('publish writes the lock; drafts stay out of the served build and show them only with --draft', () => {
    const dir = copyTemplates('publish', { drafts: true });
    const clock = fixedClock('2026-12-01T12:00:00Z');
    expect(buildContent({ templatesDir: dir, drafts: 'exclude' }).notices).toHaveLength(0);
    const hidden = capture();
    expect(runShow('privacy', { templates: dir, version: '1' }, hidden)).toBe(1);
    expect(runShow('privacy', { templates: dir, version: '1', draft: true }, capture())).toBe(0);

    const early = capture();
    expect(runPublish('privacy', '2', { templates: dir }, early, { clock })).toBe(1);
    expect(early.err).toContain('v1 is still a draft');

    const past = capture();
    expect(runPublish('privacy', '1', { templates: dir }, past, { clock })).toBe(1);
    expect(past.err).toContain('effectiveDate 2026-03-01 is not in the future');

    expect(runPublish('privacy', '1', { adopt: true, templates: dir }, capture(), { clock })).toBe(0);
    const io = capture();
    expect(runPublish('privacy', '2', { templates: dir }, io, { clock })).toBe(0);
    expect(io.out).toMatch(/published privacy v2: 15 variants locked/);
    const lock = JSON.parse(readFileSync(join(dir, 'notices/privacy/v2/published.lock.json'), 'utf8')) as { variants: Record<string, string>; adopted: boolean };
    const served = buildContent({ templatesDir: dir, drafts: 'exclude' });
    const v2 = served.notices[0]!.versions.find((v) => v.version === 2)!;
    expect(lock.adopted).toBe(false);
    expect(lock.variants).toEqual(Object.fromEntries(Object.entries(v2.variants).map(([key, variant]) => [key, variant.contentHash])));
  });

  it('publish refuses a lowering change with less than the notice period before its effective date', () => {
    const dir = copyTemplates('period', { drafts: true });
    expect(runPublish('privacy', '1', { adopt: true, templates: dir }, capture(), { clock: fixedClock('2026-12-01T00:00:00Z') })).toBe(0);
    const late = capture();
    // v2 (effective 2027-02-01) lowers protection in eea-residents and jp-residents: 10 days' notice is too little.
    expect(runPublish('privacy', '2', { templates: dir }, late, { clock: fixedClock('2027-01-22T00:00:00Z') })).toBe(1);
    expect(late.err).toContain('eea-residents, jp-residents lower protection, so the effective date must be at least 30 days ahead; 2027-02-01 is 10 day(s) away');
    expect(runPublish('privacy', '2', { noticePeriodDays: '7', templates: dir }, capture(), { clock: fixedClock('2027-01-22T00:00:00Z') })).toBe(0);
  });

  it('--adopt never changes a locked variant', () => {
    const dir = copyTemplates('adopt');
    const clock = fixedClock('2026-12-01T00:00:00Z');
    // A declared edit of v2's text: valid content, but v2 is locked.
    edit(join(dir, 'notices/privacy/v2/en.md'), 'children under 16', 'children under 13');
    edit(join(dir, 'notices/privacy/v2/ja.md'), '16 歳未満', '13 歳未満');
    edit(join(dir, 'notices/privacy/v2/ko.md'), '16세 미만', '13세 미만');
    edit(join(dir, 'notices/privacy/v2/version.yaml'), 'changes:\n', 'changes:\n  children:\n    kind: editorial\n    summary:\n      en: Age corrected.\n      ja: 年齢を訂正しました。\n      ko: 나이를 바로잡았습니다.\n');
    const io = capture();
    expect(runPublish('privacy', '2', { adopt: true, templates: dir }, io, { clock })).toBe(1);
    expect(io.err).toMatch(/variant \w+\/en changed; a published text never changes/);
  });
});
