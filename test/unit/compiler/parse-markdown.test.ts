import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProblemCollector, ContentValidationError } from '../../../compiler/errors.ts';
import { parseNoticeMarkdown } from '../../../compiler/parse-markdown.ts';

const problemsOf = (collector: ProblemCollector): string[] => {
  try {
    collector.throwIfAny();
    return [];
  } catch (error) {
    return (error as ContentValidationError).problems.map((problem) => `${problem.line}: ${problem.message}`);
  }
};

describe('Function: parseNoticeMarkdown', () => {
  it('splits sections with ids, regions, titles, bodies and heading lines (CRLF too)', () => {
    const problems = new ProblemCollector();
    const source = '## First {#first}\r\n\r\nOne.\r\n\r\n### Sub\r\n\r\nTwo.\r\n\r\n## Second part {#second region=eea}\r\nThree.\r\n';
    expect(parseNoticeMarkdown('x.md', source, problems)).toEqual([
      { id: 'first', title: 'First', region: null, markdown: 'One.\n\n### Sub\n\nTwo.', line: 1 },
      { id: 'second', title: 'Second part', region: 'eea', markdown: 'Three.', line: 9 },
    ]);
    expect(problems.count).toBe(0);
  });

  it('ignores heading syntax inside code blocks', () => {
    const problems = new ProblemCollector();
    const sections = parseNoticeMarkdown('x.md', '## A {#a}\n\n```\n## not a heading\n```\n', problems);
    expect(sections.map((section) => section.id)).toEqual(['a']);
    expect(problems.count).toBe(0);
  });

  it('refuses empty sections, bad ids and a second region, each at its line', () => {
    const problems = new ProblemCollector();
    parseNoticeMarkdown('x.md', '## A {#a}\n\n## B {#Bad_Id}\n\ntext\n\n## C {#c region=eea region=jp}\n\ntext\n\n## {#d}\n\ntext\n', problems);
    expect(problemsOf(problems)).toEqual([
      "1: section 'a' has no text",
      "3: section id 'Bad_Id' is not lowercase letters and digits joined by hyphens",
      "7: section 'c' names more than one region",
      "11: section 'd' has an empty title",
    ]);
  });

  it('refuses an empty file', () => {
    const problems = new ProblemCollector();
    expect(parseNoticeMarkdown('x.md', '', problems)).toEqual([]);
    expect(problemsOf(problems)).toEqual(['1: no sections: a translation needs at least one `## Title {#id}` section']);
  });
});

describe('Function: parseNoticeMarkdown (generated input)', () => {
  const fragments = ['## T {#a}\n', '## U {#b region=eea}\n', '# H1\n', '## no id\n', 'text\n', '\n', '<b>x</b>\n', '```\n', '- item\n', '  more\n', '[l](https://e.example)\n', '\r\n', '### sub\n', '<!-- c -->\n', '    code\n'];

  it('never throws and points every problem at a line of the file', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...fragments), fc.string()), { maxLength: 30 }), (parts) => {
        const source = parts.join('');
        const lines = source.replace(/\r\n?/g, '\n').split('\n').length;
        const problems = new ProblemCollector();
        const sections = parseNoticeMarkdown('x.md', source, problems);
        for (const problem of problemsOf(problems)) {
          const line = Number(problem.split(':')[0]);
          expect(line).toBeGreaterThanOrEqual(1);
          expect(line).toBeLessThanOrEqual(lines);
        }
        for (const section of sections) expect(section.line).toBeLessThanOrEqual(lines);
      }),
      { numRuns: 300 },
    );
  });
});
