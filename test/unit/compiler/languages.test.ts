/**
 * Complete languages: a notice language without its emails, pages, strings or region names is
 * refused, and so is a declared change whose text changed in some languages only.
 */
import { relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildContent } from '../../../compiler/build.ts';
import { ContentValidationError, type ContentProblem } from '../../../compiler/errors.ts';
import { LANGUAGE_TEMPLATES } from '../../../compiler/languages.ts';
import { removeTemplateDirs, renderTemplatesOf, replaceOnce, validTemplates, writeTemplates, type TemplateFiles } from './template-fixture.ts';

afterAll(removeTemplateDirs);

const problemsOf = (files: TemplateFiles): ContentProblem[] => {
  const root = writeTemplates(files);
  try {
    buildContent({ templatesDir: root });
  } catch (error) {
    if (!(error instanceof ContentValidationError)) throw error;
    return error.problems.map((problem) => ({ ...problem, file: relative(root, problem.file), message: problem.message.split(root + '/').join('') }));
  }
  return [];
};

/** The fixture with a Korean text of both versions (the Japanese text stands in for it), titled and summarised in ko. */
const withKoreanText = (): TemplateFiles => {
  const files = validTemplates();
  files['notices/demo/v1/ko.md'] = (files['notices/demo/v1/ja.md'] as string).replace('当社は', '회사는');
  files['notices/demo/v2/ko.md'] = (files['notices/demo/v2/ja.md'] as string).replace('当社は', '회사는');
  files['notices/demo/notice.yaml'] = replaceOnce(files['notices/demo/notice.yaml'] as string, '  ja: デモ通知\n', '  ja: デモ通知\n  ko: 데모 방침\n');
  let yaml = files['notices/demo/v2/version.yaml'] as string;
  yaml = replaceOnce(yaml, 'ja: 誤字を訂正しました。 }', 'ja: 誤字を訂正しました。, ko: 오타를 고쳤습니다. }');
  yaml = replaceOnce(yaml, 'ja: ログの保存期間を延長します。 }', 'ja: ログの保存期間を延長します。, ko: 로그 보관 기간을 늘립니다. }');
  files['notices/demo/v2/version.yaml'] = yaml;
  return files;
};

/** …and what makes ko complete: its templates and the region names. */
const completeKorean = (): TemplateFiles => {
  const files = { ...withKoreanText(), ...renderTemplatesOf(['en', 'ja', 'ko']) };
  let regions = files['regions.yaml'] as string;
  regions = replaceOnce(regions, 'ja: 欧州経済領域 }', 'ja: 欧州経済領域, ko: 유럽경제지역 }');
  regions = replaceOnce(regions, 'ja: 日本 }', 'ja: 日本, ko: 일본 }');
  files['regions.yaml'] = regions;
  return files;
};

describe('Complete languages', () => {
  it('accepts a language with its text, emails, pages, strings and region names', () => {
    expect(problemsOf(completeKorean())).toEqual([]);
  });

  it('refuses a half-translated language: the notice text alone, no emails, pages or region names', () => {
    const problems = problemsOf(withKoreanText());
    const missing = problems.filter((problem) => problem.message.includes('is missing: every language of a notice needs its emails and pages'));
    // Every template the renderers read, named by path, at the first file written in ko; the page
    // strings once, by the check of the page words (compiler/labels.ts), at their own path.
    const expected = LANGUAGE_TEMPLATES.map((path) => path.replace('{lang}', 'ko')).filter((path) => path !== 'pages/ko/strings.yaml');
    expect(missing.map((problem) => /but (\S+) is missing/.exec(problem.message)?.[1]).sort()).toEqual(expected.sort());
    expect(problems).toContainEqual(expect.objectContaining({ file: 'pages/ko/strings.yaml', message: expect.stringMatching(/^missing: the notice is written in 'ko'/) }));
    for (const problem of missing) expect(problem).toMatchObject({ file: 'notices/demo/v1/ko.md', line: 1, message: expect.stringContaining("notice 'demo' v1 is written in 'ko'") });
    expect(problems).toContainEqual({ file: 'regions.yaml', line: 3, message: "region 'eea' has no name in 'ko': notice 'demo' v1 is written in 'ko'" });
    expect(problems).toContainEqual({ file: 'regions.yaml', line: 7, message: "region 'jp' has no name in 'ko': notice 'demo' v1 is written in 'ko'" });
    expect(problems).toHaveLength(LANGUAGE_TEMPLATES.length + 2);
  });

  it('refuses a language whose strings lack one another language has, and a page only another language has', () => {
    const files = completeKorean();
    files['pages/ko/strings.yaml'] = (files['pages/ko/strings.yaml'] as string).replace(/^ {2}error: .*\n/m, '');
    files['pages/en/help.html'] = '<p>help</p>';
    files['pages/ja/help.html'] = '<p>ヘルプ</p>';
    const problems = problemsOf(files);
    expect(problems).toEqual([
      { file: 'notices/demo/v1/ko.md', line: 1, message: "notice 'demo' v1 is written in 'ko', but pages/ko/help.html is missing: every language of a notice needs its emails and pages" },
      { file: 'pages/ko/strings.yaml', line: 1, message: "'titles.error' is missing in 'ko' (pages/en/strings.yaml has it): notice 'demo' v1 is written in 'ko'" },
    ]);
  });

  it('refuses a declared change whose text changed in some languages and not in another', () => {
    const files = completeKorean();
    // ko v2 keeps v1's retention-free EEA text: the declared eea-residents change is not in Korean.
    const v1 = files['notices/demo/v1/ko.md'] as string;
    const eea = (text: string) => /## EEA [^\n]*\n\n[^\n]*\n/.exec(text)?.[0] as string;
    files['notices/demo/v2/ko.md'] = replaceOnce(files['notices/demo/v2/ko.md'] as string, eea(files['notices/demo/v2/ko.md'] as string), eea(v1));
    const problems = problemsOf(files);
    expect(problems).toEqual([
      {
        file: 'notices/demo/v2/ko.md',
        line: 9,
        message: "notice 'demo' v2 declares a change to 'eea-residents' and its text changed in en, ja, but not in 'ko' (identical to v1): translate the change into every language",
      },
    ]);
  });
});
