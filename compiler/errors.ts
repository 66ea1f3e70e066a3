/** Errors of the content build: every problem found in `templates/`, each with its file and line. */
import { DisclosureError } from '../functions/core/errors.ts';

/** One thing wrong with the templates, located for a human to fix. */
export interface ContentProblem {
  /** Path of the offending file as the build was given it (e.g. `templates/notices/privacy/v2/ja.md`). */
  readonly file: string;
  /** 1-based line; 1 when the problem concerns the file as a whole. */
  readonly line: number;
  readonly message: string;
}

/** The templates are wrong: the build refuses them and lists every problem, not just the first. */
export class ContentValidationError extends DisclosureError {
  readonly problems: readonly ContentProblem[];

  constructor(problems: readonly ContentProblem[], options?: { cause?: unknown }) {
    super(
      `content is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map(formatProblem).join('\n'),
      options,
    );
    this.problems = problems;
  }
}

/** `file:line: message`, the format editors and CI annotate from. */
export const formatProblem = (problem: ContentProblem): string => `${problem.file}:${problem.line}: ${problem.message}`;

/** Collects problems across the whole build so that one run reports all of them. */
export class ProblemCollector {
  readonly #problems: ContentProblem[] = [];

  add(file: string, line: number, message: string): void {
    this.#problems.push({ file, line: Math.max(1, line), message });
  }

  get count(): number {
    return this.#problems.length;
  }

  /** True when a problem was already reported for `file`: a later, more generic check need not repeat it. */
  hasProblemIn(file: string): boolean {
    return this.#problems.some((problem) => problem.file === file);
  }

  /** Throws a `ContentValidationError` with every problem collected, sorted by file and line. */
  throwIfAny(): void {
    if (this.#problems.length === 0) return;
    const sorted = [...this.#problems].sort(
      (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line),
    );
    throw new ContentValidationError(sorted);
  }
}
