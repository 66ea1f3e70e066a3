/**
 * The one mapping of zod validation failures to the domain's `InvalidInputError` (400). Each issue
 * becomes `{ path, message }`: our schemas' messages name the rule, never the rejected value, so no
 * input (an email address, say) comes back in the problem document.
 */
import { safeParse } from 'zod/mini';
import type { $ZodIssue, $ZodType, output } from 'zod/v4/core';
import { InvalidInputError } from '../core/errors.ts';

export interface InvalidInputWording {
  /** The problem's detail, given the distinct issue paths. */
  readonly detail: (paths: readonly string[]) => string;
  /** The path reported for an issue about the value as a whole. */
  readonly rootPath: string;
  /** Report at most this many issues. @default all */
  readonly maxIssues?: number;
}

/** Parse `value` with `schema`, or throw `InvalidInputError` worded by `wording`. */
export const parseOrThrow = <S extends $ZodType>(schema: S, value: unknown, wording: InvalidInputWording): output<S> => {
  const result = safeParse(schema, value);
  if (result.success) return result.data;
  const chosen: readonly $ZodIssue[] = wording.maxIssues === undefined ? result.error.issues : result.error.issues.slice(0, wording.maxIssues);
  const issues = chosen.map((issue) => ({ path: issue.path.map(String).join('.') || wording.rootPath, message: issue.message }));
  throw new InvalidInputError(wording.detail([...new Set(issues.map((issue) => issue.path))]), issues);
};

/** Parse a request part (`body`, `path`, `query`) or throw `InvalidInputError` "the <what> is not valid" with at most 20 issues. */
export const parseWith = <S extends $ZodType>(schema: S, value: unknown, what: string): output<S> =>
  parseOrThrow(schema, value, { detail: () => `the ${what} is not valid`, rootPath: what, maxIssues: 20 });

/** Parse query parameters or throw `InvalidInputError` naming each malformed parameter (`path` = its name). */
export const parseQuery = <S extends $ZodType>(schema: S, query: Readonly<Record<string, string | undefined>> | undefined): output<S> =>
  parseOrThrow(schema, query ?? {}, { detail: (names) => `malformed query parameter: ${names.join(', ')}`, rootPath: '(query)' });
