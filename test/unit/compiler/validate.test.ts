import { relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildContent } from '../../../compiler/build.ts';
import { ContentValidationError, type ContentProblem } from '../../../compiler/errors.ts';
import { removeTemplateDirs, replaceOnce, templatesWith, validTemplates, writeTemplates, type TemplateFiles } from './template-fixture.ts';

afterAll(removeTemplateDirs);

/** Builds `files` and returns the problems, with file paths relative to the tree. */
const problemsOf = (files: TemplateFiles): ContentProblem[] => {
  const root = writeTemplates(files);
  try {
    buildContent({ templatesDir: root });
  } catch (error) {
    if (!(error instanceof ContentValidationError)) throw error;
    return error.problems.map((problem) => ({ ...problem, file: relative(root, problem.file) }));
  }
  return [];
};

const base = validTemplates();
const V1_EN = 'notices/demo/v1/en.md';
const V1_JA = 'notices/demo/v1/ja.md';
const V2_EN = 'notices/demo/v2/en.md';
const V2_JA = 'notices/demo/v2/ja.md';
const V2_YAML = 'notices/demo/v2/version.yaml';

describe('Function: buildContent (refusals)', () => {
  it('accepts the valid fixture', () => {
    expect(problemsOf(base)).toEqual([]);
  });

  it('refuses a translation that is missing a section', () => {
    const ja = replaceOnce(base[V1_JA] as string, '## 保存期間 {#retention}\n\nログを 13 か月間保存します。\n\n', '');
    // v2 ja keeps the section, so v1 → v2 also adds it: declare nothing and look only at v1's problem.
    const problems = problemsOf(templatesWith({ [V1_JA]: ja }));
    expect(problems).toContainEqual({ file: V1_JA, line: 5, message: expect.stringMatching(/section 'retention' \(.*en\.md:5\) is missing/) });
  });

  it('refuses a translation that adds a section, at the line of its heading', () => {
    const ja = `${base[V1_JA]}\n## 追加 {#extra}\n\n英語版にない節。\n`;
    const problems = problemsOf(templatesWith({ [V1_JA]: ja }));
    expect(problems).toContainEqual({ file: V1_JA, line: 17, message: expect.stringContaining("section 'extra' is not in") });
  });

  it('refuses section ids out of order between languages', () => {
    const ja = (base[V1_JA] as string)
      .replace('## 当社について {#who-we-are}\n\n当社は Example Cloud です。\n\n', '')
      .replace('## EEA のお客様', '## 当社について {#who-we-are}\n\n当社は Example Cloud です。\n\n## EEA のお客様');
    const problems = problemsOf(templatesWith({ [V1_JA]: ja }));
    expect(problems).toContainEqual({ file: V1_JA, line: 1, message: expect.stringContaining("section 'retention' is out of order") });
  });

  it('refuses a duplicate section id, naming the first use', () => {
    const en = `${base[V1_EN]}\n## Retention again {#retention}\n\nMore.\n`;
    const problems = problemsOf(templatesWith({ [V1_EN]: en }));
    expect(problems).toContainEqual({ file: V1_EN, line: 17, message: "duplicate section id 'retention' (first used on line 5)" });
  });

  it('refuses a region that is not in the catalogue', () => {
    const files = templatesWith({
      [V1_EN]: replaceOnce(base[V1_EN] as string, 'region=jp', 'region=mars'),
      [V1_JA]: replaceOnce(base[V1_JA] as string, 'region=jp', 'region=mars'),
    });
    const problems = problemsOf(files);
    expect(problems).toContainEqual({ file: V1_EN, line: 13, message: expect.stringContaining("unknown region 'mars'") });
    expect(problems).toContainEqual({ file: V1_JA, line: 13, message: expect.stringContaining("unknown region 'mars'") });
  });

  it('refuses a text change in one language that no change declares', () => {
    const ja = replaceOnce(base[V2_JA] as string, 'ログを 13 か月間保存します。', 'ログを 12 か月間保存します。');
    const problems = problemsOf(templatesWith({ [V2_JA]: ja }));
    expect(problems).toEqual([
      { file: V2_EN, line: 5, message: expect.stringMatching(/section 'retention' changed since v1 \(ja;.*declares no change for it/) },
    ]);
  });

  it('refuses a removed section that no change declares', () => {
    const strip = (text: string, heading: string): string => text.slice(0, text.indexOf(heading));
    const files = templatesWith({
      [V2_EN]: strip(base[V2_EN] as string, '## Japan residents'),
      [V2_JA]: strip(base[V2_JA] as string, '## 日本のお客様'),
    });
    const problems = problemsOf(files);
    expect(problems).toContainEqual({ file: V2_YAML, line: 1, message: expect.stringContaining("section 'jp-residents' changed since v1 (en, ja; v1 (removed))") });
  });

  it('refuses a declared change for a section whose text did not change', () => {
    const yaml = `${base[V2_YAML]}  retention:\n    kind: editorial\n    summary: { en: Nothing., ja: なし。 }\n`;
    const problems = problemsOf(templatesWith({ [V2_YAML]: yaml }));
    expect(problems).toEqual([{ file: V2_YAML, line: 11, message: expect.stringContaining("declares a change to 'retention', but its text is identical to v1") }]);
  });

  it('refuses a declared change for a section that does not exist', () => {
    const yaml = `${base[V2_YAML]}  no-such-section:\n    kind: editorial\n    summary: { en: Nothing., ja: なし。 }\n`;
    const problems = problemsOf(templatesWith({ [V2_YAML]: yaml }));
    expect(problems).toEqual([{ file: V2_YAML, line: 11, message: expect.stringContaining('which is not a section of v1 or v2') }]);
  });

  it('refuses a material change without effect and scope', () => {
    const yaml = replaceOnce(replaceOnce(base[V2_YAML] as string, '    effect: lowers\n', ''), '    scope: previously-collected\n', '');
    const problems = problemsOf(templatesWith({ [V2_YAML]: yaml }));
    expect(problems).toEqual([
      { file: V2_YAML, line: 6, message: "change to 'eea-residents' is material but has no effect (raises, neutral or lowers)" },
      { file: V2_YAML, line: 6, message: "change to 'eea-residents' is material but has no scope (new-data or previously-collected)" },
    ]);
  });

  it('refuses an effect on an editorial change and choices on a change that does not lower protection', () => {
    const yaml = replaceOnce(base[V2_YAML] as string, '    kind: editorial\n', '    kind: editorial\n    effect: raises\n    choices: [accept]\n');
    const messages = problemsOf(templatesWith({ [V2_YAML]: yaml })).map((problem) => `${problem.line}: ${problem.message}`);
    expect(messages).toEqual([
      "5: change to 'who-we-are' is editorial: an effect only applies to material changes",
      "6: change to 'who-we-are' offers choices, but only a material change that lowers protection of previously collected data does",
    ]);
  });

  it('refuses a summary that misses a language of the version', () => {
    const yaml = replaceOnce(base[V2_YAML] as string, '{ en: Fixed a typo., ja: 誤字を訂正しました。 }', '{ en: Fixed a typo. }');
    const problems = problemsOf(templatesWith({ [V2_YAML]: yaml }));
    expect(problems).toEqual([{ file: V2_YAML, line: 5, message: "change to 'who-we-are' has no summary in 'ja'" }]);
  });

  it('refuses versions that are not numbered 1..N', () => {
    const files = validTemplates();
    for (const name of ['version.yaml', 'en.md', 'ja.md']) {
      files[`notices/demo/v3/${name}`] = files[`notices/demo/v2/${name}`] as string;
      delete files[`notices/demo/v2/${name}`];
    }
    const problems = problemsOf(files);
    expect(problems).toContainEqual({ file: 'notices/demo/v3', line: 1, message: 'versions are numbered v1..vN without gaps: found v3 where v2 was expected' });
  });

  it('refuses a version folder with a leading zero', () => {
    const files = validTemplates();
    for (const name of ['version.yaml', 'en.md', 'ja.md']) {
      files[`notices/demo/v02/${name}`] = files[`notices/demo/v2/${name}`] as string;
      delete files[`notices/demo/v2/${name}`];
    }
    expect(problemsOf(files)).toContainEqual(expect.objectContaining({ file: 'notices/demo/v02', message: expect.stringContaining('where v2 was expected') }));
  });

  it('refuses effective dates that do not increase', () => {
    const yaml = replaceOnce(base[V2_YAML] as string, '2027-02-01', '2026-03-01');
    const problems = problemsOf(templatesWith({ [V2_YAML]: yaml }));
    expect(problems).toEqual([{ file: V2_YAML, line: 1, message: "effectiveDate 2026-03-01 must be after the previous version's (2026-03-01)" }]);
  });

  it('refuses an impossible effective date', () => {
    const yaml = replaceOnce(base[V2_YAML] as string, '2027-02-01', '2027-02-30');
    expect(problemsOf(templatesWith({ [V2_YAML]: yaml }))).toEqual([{ file: V2_YAML, line: 1, message: expect.stringContaining('effectiveDate') }]);
  });

  it('refuses a heading without an id', () => {
    const en = replaceOnce(base[V1_EN] as string, '## Retention {#retention}', '## Retention');
    const problems = problemsOf(templatesWith({ [V1_EN]: en }));
    expect(problems).toContainEqual({ file: V1_EN, line: 5, message: expect.stringContaining("heading 'Retention' has no id") });
  });

  it('refuses an unknown heading attribute', () => {
    const en = replaceOnce(base[V1_EN] as string, '{#retention}', '{#retention lang=fr}');
    expect(problemsOf(templatesWith({ [V1_EN]: en }))).toContainEqual({ file: V1_EN, line: 5, message: expect.stringContaining("unknown heading attribute 'lang=fr'") });
  });

  it('refuses raw HTML and scripts in Markdown, block and inline, at their lines', () => {
    const en = replaceOnce(
      base[V1_EN] as string,
      'We keep logs for 13 months.',
      'We keep logs for 13 months.\n\n<script>alert(1)</script>\n\nSome <b>bold</b> text\nand <img src=x onerror=alert(1)>.',
    );
    const problems = problemsOf(templatesWith({ [V1_EN]: en, [V2_EN]: en.replace('Example Cloud.', 'Example Cloud, Inc.').replace('Example B.V.', 'Example B.V. We keep EEA logs for 36 months, including old ones.') }));
    const v1 = problems.filter((problem) => problem.file === V1_EN);
    expect(v1.map((problem) => problem.line)).toEqual([9, 11, 12]);
    expect(v1.every((problem) => problem.message.startsWith('raw HTML is not allowed'))).toBe(true);
  });

  it('refuses javascript: links and images', () => {
    const en = replaceOnce(base[V1_EN] as string, 'We are Example Cloud.', 'We are [Example](javascript:alert(1)) ![logo](https://x.example/a.png).');
    const messages = problemsOf(templatesWith({ [V1_EN]: en })).filter((problem) => problem.file === V1_EN).map((problem) => problem.message);
    expect(messages).toEqual(expect.arrayContaining([expect.stringContaining("link target 'javascript:alert(1)' is not allowed"), expect.stringContaining('images are not supported')]));
  });

  it('refuses text before the first section and a level-1 heading', () => {
    const en = `# Demo\n\nIntro.\n\n${base[V1_EN]}`;
    const problems = problemsOf(templatesWith({ [V1_EN]: en })).filter((problem) => problem.file === V1_EN);
    expect(problems.map((problem) => problem.line)).toEqual([1, 3]);
  });

  it('refuses malformed YAML with its line', () => {
    const yaml = 'effectiveDate: 2027-02-01\nchanges:\n  who-we-are: [unclosed\n';
    const problems = problemsOf(templatesWith({ [V2_YAML]: yaml }));
    expect(problems[0]).toMatchObject({ file: V2_YAML, message: expect.stringContaining('malformed YAML') });
    expect(problems[0]?.line).toBeGreaterThanOrEqual(3);
  });

  it('refuses duplicate keys and unknown fields in YAML', () => {
    const yaml = `${base[V2_YAML]}  who-we-are:\n    kind: editorial\n    summary: { en: a, ja: b }\n`;
    expect(problemsOf(templatesWith({ [V2_YAML]: yaml }))[0]).toMatchObject({ file: V2_YAML, line: 11, message: expect.stringContaining('malformed YAML') });
    const notice = 'title: { en: Demo, ja: デモ }\ndefaultLanguage: en\ncolour: blue\n';
    expect(problemsOf(templatesWith({ 'notices/demo/notice.yaml': notice }))).toEqual([
      { file: 'notices/demo/notice.yaml', line: 1, message: expect.stringContaining('colour') },
    ]);
  });

  it('refuses an unknown change kind at the line of its key', () => {
    const yaml = replaceOnce(base[V2_YAML] as string, '    kind: editorial\n', '    kind: cosmetic\n');
    expect(problemsOf(templatesWith({ [V2_YAML]: yaml }))).toEqual([{ file: V2_YAML, line: 4, message: expect.stringContaining('changes.who-we-are.kind') }]);
  });

  it('refuses a missing default-language translation and a language without a title', () => {
    const files = templatesWith({ 'notices/demo/v1/fr.md': base[V1_EN] as string, [V1_EN]: undefined });
    const messages = problemsOf(files).map((problem) => `${problem.file}:${problem.line}: ${problem.message}`);
    expect(messages).toContain("notices/demo/v1:1: the default language 'en' has no translation (en.md)");
    expect(messages.some((message) => message.includes("title has no 'fr' entry"))).toBe(true);
  });

  it('refuses an invalid region catalogue', () => {
    const regions = 'regions:\n  - id: eea\n    name: { en: EEA }\n    countries: [DE, ZZ, DE]\n    subdivisions: [ES_CN]\n';
    const messages = problemsOf(templatesWith({ 'regions.yaml': regions })).map((problem) => `${problem.line}: ${problem.message}`);
    expect(messages).toEqual([
      "4: 'ZZ' is not an ISO 3166-1 alpha-2 country code",
      "4: country DE is already in region 'eea'",
      "5: 'ES_CN' is not an ISO 3166-2 subdivision code (e.g. CA-QC)",
    ]);
  });

  it('reports every problem of the tree in one error, sorted by file and line', () => {
    const files = templatesWith({
      [V1_EN]: replaceOnce(base[V1_EN] as string, '## Retention {#retention}', '## Retention'),
      [V2_YAML]: replaceOnce(base[V2_YAML] as string, '2027-02-01', '2025-01-01'),
      [V2_JA]: replaceOnce(base[V2_JA] as string, 'region=jp', 'region=kr'),
    });
    const problems = problemsOf(files);
    // v1 en lost a heading (so v1 ja has a section en lacks), v2 has an old date and an unknown region in ja.
    expect(new Set(problems.map((problem) => problem.file))).toEqual(new Set([V1_EN, V1_JA, V2_JA, V2_YAML]));
    // No echo: v2 is not compared with the broken v1, so nothing is blamed on v2/en.md.
    const keys = problems.map((problem) => [problem.file, problem.line] as const);
    expect(keys).toEqual([...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1])));
  });
});

describe('Class: ContentValidationError', () => {
  it('carries the problems and a file:line message', () => {
    const error = new ContentValidationError([{ file: 'a.md', line: 3, message: 'bad' }]);
    expect(error.name).toBe('ContentValidationError');
    expect(error.problems).toEqual([{ file: 'a.md', line: 3, message: 'bad' }]);
    expect(error.message).toContain('a.md:3: bad');
  });
});

describe('Rule: every notice language has the words of its pages', () => {
  it('refuses a notice language without pages/<lang>/strings.yaml', () => {
    const problems = problemsOf(templatesWith({ 'pages/ja/strings.yaml': undefined }));
    expect(problems).toEqual([expect.objectContaining({ file: 'pages/ja/strings.yaml', message: expect.stringMatching(/written in 'ja'.*notice:, diff:/) })]);
  });

  it('names each missing word of the notice and diff pages', () => {
    const strings = validTemplates()['pages/ja/strings.yaml']!.replace(/^  legend: .*\n/m, '').replace(/^  history: .*\n/m, '');
    const problems = problemsOf(templatesWith({ 'pages/ja/strings.yaml': strings }));
    expect(problems.map((problem) => `${problem.file}: ${problem.message}`).sort()).toEqual([
      expect.stringMatching(/^pages\/ja\/strings\.yaml: diff\.legend: missing/),
      expect.stringMatching(/^pages\/ja\/strings\.yaml: notice\.history: missing/),
    ]);
  });
});
