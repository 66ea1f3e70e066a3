/** Turn a zod validation failure into the domain's `InvalidInputError` (400), without echoing input. */
import { safeParse } from 'zod/mini';
import type { $ZodType, output } from 'zod/v4/core';
import { InvalidInputError } from '../core/errors.ts';

/** Parse `value` with `schema` or throw `InvalidInputError` listing each issue's path and message. */
export const parseWith = <S extends $ZodType>(schema: S, value: unknown, what: string): output<S> => {
  const result = safeParse(schema, value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 20).map((issue) => ({
    path: issue.path.map(String).join('.') || what,
    // Our schemas' messages name the rule, never the rejected value, so no email address comes back.
    message: issue.message,
  }));
  throw new InvalidInputError(`the ${what} is not valid`, issues);
};
