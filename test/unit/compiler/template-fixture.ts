/** Small template trees in temp directories, for tests of the content build's refusals. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type TemplateFiles = Record<string, string>;

const SHIPPED_TEMPLATES = join(import.meta.dirname, '../../../templates');

/**
 * The shipped email and page templates of `languages` (and the shared page partials), keyed by
 * path: a notice language is refused without them.
 */
export const renderTemplatesOf = (languages: readonly string[]): TemplateFiles => {
  const files: TemplateFiles = {};
  for (const kind of ['emails', 'pages']) {
    for (const entry of readdirSync(join(SHIPPED_TEMPLATES, kind), { withFileTypes: true })) {
      if (entry.isFile()) files[`${kind}/${entry.name}`] = readFileSync(join(SHIPPED_TEMPLATES, kind, entry.name), 'utf8');
      else if (languages.includes(entry.name)) {
        for (const file of readdirSync(join(SHIPPED_TEMPLATES, kind, entry.name))) {
          files[`${kind}/${entry.name}/${file}`] = readFileSync(join(SHIPPED_TEMPLATES, kind, entry.name, file), 'utf8');
        }
      }
    }
  }
  return files;
};

/** A valid two-version notice `demo` (en default, ja), regions eea and jp, v2 with one declared change per kind. */
export const validTemplates = (): TemplateFiles => ({
  ...renderTemplatesOf(['en', 'ja']),
  'regions.yaml': [
    'regions:',
    '  - id: eea',
    '    name: { en: European Economic Area, ja: 欧州経済領域 }',
    '    countries: [DE, FR]',
    '    subdivisions: [ES-CN]',
    '  - id: jp',
    '    name: { en: Japan, ja: 日本 }',
    '    countries: [JP]',
    '',
  ].join('\n'),
  'notices/demo/notice.yaml': 'title:\n  en: Demo Notice\n  ja: デモ通知\ndefaultLanguage: en\n',
  'notices/demo/v1/version.yaml': 'effectiveDate: 2026-03-01\nchanges: {}\n',
  'notices/demo/v1/en.md': [
    '## Who we are {#who-we-are}',
    '',
    'We are Example Cloud.',
    '',
    '## Retention {#retention}',
    '',
    'We keep logs for 13 months.',
    '',
    '## EEA residents {#eea-residents region=eea}',
    '',
    'Our EEA controller is Example B.V.',
    '',
    '## Japan residents {#jp-residents region=jp}',
    '',
    'We follow the APPI.',
    '',
  ].join('\n'),
  'notices/demo/v1/ja.md': [
    '## 当社について {#who-we-are}',
    '',
    '当社は Example Cloud です。',
    '',
    '## 保存期間 {#retention}',
    '',
    'ログを 13 か月間保存します。',
    '',
    '## EEA のお客様 {#eea-residents region=eea}',
    '',
    'EEA の管理者は Example B.V. です。',
    '',
    '## 日本のお客様 {#jp-residents region=jp}',
    '',
    '個人情報保護法に従います。',
    '',
  ].join('\n'),
  'notices/demo/v2/version.yaml': [
    'effectiveDate: 2027-02-01',
    'changes:',
    '  who-we-are:',
    '    kind: editorial',
    '    summary: { en: Fixed a typo., ja: 誤字を訂正しました。 }',
    '  eea-residents:',
    '    kind: material',
    '    effect: lowers',
    '    scope: previously-collected',
    '    summary: { en: Logs kept longer., ja: ログの保存期間を延長します。 }',
    '',
  ].join('\n'),
  'notices/demo/v2/en.md': [
    '## Who we are {#who-we-are}',
    '',
    'We are Example Cloud, Inc.',
    '',
    '## Retention {#retention}',
    '',
    'We keep logs for 13 months.',
    '',
    '## EEA residents {#eea-residents region=eea}',
    '',
    'Our EEA controller is Example B.V. We keep EEA logs for 36 months, including old ones.',
    '',
    '## Japan residents {#jp-residents region=jp}',
    '',
    'We follow the APPI.',
    '',
  ].join('\n'),
  'notices/demo/v2/ja.md': [
    '## 当社について {#who-we-are}',
    '',
    '当社は Example Cloud, Inc. です。',
    '',
    '## 保存期間 {#retention}',
    '',
    'ログを 13 か月間保存します。',
    '',
    '## EEA のお客様 {#eea-residents region=eea}',
    '',
    'EEA の管理者は Example B.V. です。EEA のログは過去分も含め 36 か月間保存します。',
    '',
    '## 日本のお客様 {#jp-residents region=jp}',
    '',
    '個人情報保護法に従います。',
    '',
  ].join('\n'),
});

const created: string[] = [];

/** Writes `files` under a fresh temp directory and returns its path (removed by `removeTemplateDirs`). */
export const writeTemplates = (files: TemplateFiles): string => {
  const root = mkdtempSync(join(tmpdir(), 'disclosure-templates-'));
  created.push(root);
  for (const [path, content] of Object.entries(files)) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return root;
};

/** Removes every directory `writeTemplates` created. */
export const removeTemplateDirs = (): void => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
};

/** `validTemplates()` with some files replaced (a value of `undefined` deletes the file). */
export const templatesWith = (changes: Record<string, string | undefined>): TemplateFiles => {
  const files = validTemplates();
  for (const [path, content] of Object.entries(changes)) {
    if (content === undefined) delete files[path];
    else files[path] = content;
  }
  return files;
};

/** Replaces exactly one occurrence of `from` in `text`; fails loudly if the fixture drifted. */
export const replaceOnce = (text: string, from: string, to: string): string => {
  if (text.split(from).length !== 2) throw new Error(`fixture text '${from}' does not occur exactly once`);
  return text.replace(from, to);
};
