import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuild, type CommandIo } from '../../bin/commands/build.ts';
import { runDiff } from '../../bin/commands/diff.ts';
import { runPublish } from '../../bin/commands/publish.ts';
import { runShow } from '../../bin/commands/show.ts';
import { runValidate } from '../../bin/commands/validate.ts';
import { buildContent } from '../../compiler/build.ts';
import type { CompiledContent } from '../../functions/core/content.ts';
import { fixedClock } from '../../functions/core/clock.ts';
import { removeTemplateDirs, replaceOnce, templatesWith, validTemplates, writeTemplates } from '../unit/compiler/template-fixture.ts';

const ROOT = join(import.meta.dirname, '../..');
const TEMPLATES = join(ROOT, 'templates');

const capture = (): CommandIo & { out: string; err: string } => {
  const io = {
    out: '',
    err: '',
    stdout: (text: string) => { io.out += text; },
    stderr: (text: string) => { io.err += text; },
  };
  return io;
};

const scratch = mkdtempSync(join(tmpdir(), 'disclosure-cli-'));
afterAll(() => {
  removeTemplateDirs();
  rmSync(scratch, { recursive: true, force: true });
});

let content: CompiledContent;
beforeAll(() => {
  content = buildContent({ templatesDir: TEMPLATES });
});

describe('Command: build', () => {
  it('writes the artifact and reports what it built', async () => {
    const io = capture();
    const out = join(scratch, 'content.json');
    expect(await runBuild({ templates: TEMPLATES, out }, io)).toBe(0);
    expect(io.out).toMatch(/^built .*content\.json: 1 notice\(s\), 30 variants, source [0-9a-f]{12} \(\d+ ms\)\n$/);
    expect((JSON.parse(readFileSync(out, 'utf8')) as CompiledContent).sourceHash).toBe(content.sourceHash);
  });

  it('prints nothing with --quiet', async () => {
    const io = capture();
    expect(await runBuild({ templates: TEMPLATES, out: join(scratch, 'quiet.json'), quiet: true }, io)).toBe(0);
    expect(io.out + io.err).toBe('');
  });

  it('skips the compiler while no input changed, and rebuilds when a template changes', async () => {
    const files = validTemplates();
    const dir = writeTemplates(files);
    // The served build holds published versions only.
    for (const version of ['1', '2']) expect(runPublish('demo', version, { adopt: true, templates: dir }, capture())).toBe(0);
    const out = join(scratch, 'fingerprinted.json');
    const first = capture();
    expect(await runBuild({ templates: dir, out }, first)).toBe(0);
    expect(first.out).toMatch(/^built /);
    const second = capture();
    expect(await runBuild({ templates: dir, out }, second)).toBe(0);
    expect(second.out).toMatch(/^up to date /);
    writeFileSync(join(dir, 'notices/demo/notice.yaml'), 'title: { en: Renamed, ja: 改名 }\ndefaultLanguage: en\n');
    const third = capture();
    expect(await runBuild({ templates: dir, out }, third)).toBe(0);
    expect(third.out).toMatch(/^built /);
    expect(readFileSync(out, 'utf8')).toContain('"Renamed"');
    const forced = capture();
    expect(await runBuild({ templates: dir, out, force: true }, forced)).toBe(0);
    expect(forced.out).toMatch(/^unchanged /);
  });

  it('exits 1 with file:line: message lines on invalid templates, writing nothing', async () => {
    const base = validTemplates();
    const dir = writeTemplates(templatesWith({ 'notices/demo/v1/en.md': replaceOnce(base['notices/demo/v1/en.md'] as string, '{#retention}', '') }));
    const io = capture();
    const out = join(scratch, 'never.json');
    expect(await runBuild({ templates: dir, out }, io)).toBe(1);
    expect(io.err).toContain(`${join(dir, 'notices/demo/v1/en.md')}:5: heading 'Retention' has no id`);
    expect(io.err).toMatch(/\d+ problems? in the templates\n$/);
    expect(() => readFileSync(out)).toThrow();
  });
});

describe('Command: validate', () => {
  it('passes on the shipped templates', () => {
    const io = capture();
    expect(runValidate({ templates: TEMPLATES }, io)).toBe(0);
    expect(io.out).toContain('is valid: 1 notice(s), 2 version(s)');
  });

  it('exits 1 from the real CLI entry, printing each problem as file:line: message', () => {
    const base = validTemplates();
    const dir = writeTemplates(templatesWith({ 'notices/demo/v2/version.yaml': replaceOnce(base['notices/demo/v2/version.yaml'] as string, '2027-02-01', '2020-01-01') }));
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/cli.ts', 'validate', '--templates', dir], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${join(dir, 'notices/demo/v2/version.yaml')}:1: effectiveDate 2020-01-01 must be after the previous version's (2026-03-01)`);
  });
});

describe('Command: diff', () => {
  it('lists every section of the variant with its status and declared change, then line diffs', () => {
    const io = capture();
    expect(runDiff('privacy', '1', '2', { region: 'eea' }, io, content)).toBe(0);
    expect(io.out).toMatch(/^privacy v1 \(2026-03-01\) -> v2 \(2027-02-01\), region eea, language en\n/);
    expect(io.out).toMatch(/changed\s+security\s+Security\s+\[editorial\]/);
    expect(io.out).toMatch(/changed\s+eea-residents\s+.*\[material, lowers, previously-collected; choices: accept, keep-previous, delete\]/);
    expect(io.out).toMatch(/unchanged\s+your-rights/);
    expect(io.out).not.toContain('jp-residents');
    expect(io.out).toContain('- encrpytion in transit');
    expect(io.out).toContain('+ encryption in transit');
  });

  it('prints the API shape with --json', () => {
    const io = capture();
    expect(runDiff('privacy', '1', '2', { region: 'jp', lang: 'ja', json: true }, io, content)).toBe(0);
    const diff = JSON.parse(io.out) as { language: string; sections: { id: string; status: string }[] };
    expect(diff.language).toBe('ja');
    expect(diff.sections.filter((section) => section.status === 'changed').map((section) => section.id)).toEqual(['security', 'jp-residents']);
  });

  it('exits 1 on an unknown notice, version or region', () => {
    for (const [notice, from, to, region] of [['terms', '1', '2', 'eea'], ['privacy', '1', '9', 'eea'], ['privacy', 'one', '2', 'eea'], ['privacy', '1', '2', 'mars']] as const) {
      const io = capture();
      expect(runDiff(notice, from, to, { region }, io, content)).toBe(1);
      expect(io.err).toMatch(/^error: /);
    }
  });
});

describe('Command: show', () => {
  const clock = fixedClock('2026-06-01T12:00:00Z');

  it('serves the latest version in force for a country, with the resolution on stderr', () => {
    const io = capture();
    expect(runShow('privacy', { country: 'DE' }, io, { clock, content })).toBe(0);
    const body = JSON.parse(io.out) as { version: number; region: string; language: string; contentHash: string };
    expect(body).toMatchObject({ version: 1, region: 'eea', language: 'en' });
    expect(io.err).toContain(`privacy v1 (effective 2026-03-01), region eea (from country), language en, contentHash ${body.contentHash}`);
  });

  it('negotiates the language and pins a version published ahead', () => {
    const io = capture();
    expect(runShow('privacy', { country: 'JP', lang: 'ja-JP', version: '2', format: 'md' }, io, { clock, content })).toBe(0);
    expect(io.out).toMatch(/^# Cirrusfield Cloud プライバシー通知\n\n適用開始日：2027年2月1日/);
    expect(io.out).toContain('## 日本にお住まいのお客様');
  });

  it('resolves "latest" as of --at, and an explicit region wins over the country', () => {
    const io = capture();
    expect(runShow('privacy', { at: '2027-02-01', region: 'kr', country: 'DE', format: 'html' }, io, { clock, content })).toBe(0);
    expect(io.out.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(io.out).toContain('id="kr-residents"');
    expect(io.err).toContain('privacy v2 (effective 2027-02-01), region kr (from region)');
  });

  it('takes a subdivision through --country and serves global where none applies', () => {
    const io = capture();
    expect(runShow('privacy', { country: 'ES-CN' }, io, { clock, content })).toBe(0);
    expect(io.err).toContain('region eea (from country)');
    const global = capture();
    expect(runShow('privacy', { country: 'CH' }, global, { clock, content })).toBe(0);
    expect(global.err).toContain('region global (from country)');
  });

  it('exits 1 on bad input and before any version is in force', () => {
    const cases: [Parameters<typeof runShow>[1], RegExp][] = [
      [{ format: 'pdf' }, /--format/],
      [{ at: '2026-02-30' }, /--at/],
      [{ version: '0' }, /--version/],
      [{ country: 'D1' }, /country/i],
      [{ at: '2026-02-28' }, /no version of notice privacy is in force/],
      [{ version: '7' }, /no version 7/],
    ];
    for (const [options, message] of cases) {
      const io = capture();
      expect(runShow('privacy', options, io, { clock, content })).toBe(1);
      expect(io.err).toMatch(message);
      expect(io.out).toBe('');
    }
  });
});
