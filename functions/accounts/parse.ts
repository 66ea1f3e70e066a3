/** Turn a zod validation failure into the domain's `InvalidInputError` (400), without echoing input. */
import type { z } from 'zod';
import { InvalidInputError } from '../core/errors.ts';

/** Parse `value` with `schema` or throw `InvalidInputError` listing each issue's path and message. */
export const parseWith = <S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 20).map((issue) => ({
    path: issue.path.map(String).join('.') || what,
    // zod's messages name the rule, never the rejected value, so no email address comes back.
    message: issue.message,
  }));
  throw new InvalidInputError(`the ${what} is not valid`, issues);
};
