/**
 * The one way a Lambda reads its environment: `lambdaEnvironment(row)` parses exactly the
 * variables its manifest row lists, through the Powertools env utilities, and fails fast naming
 * the first variable that is missing or malformed. Called from `defaultDeps` only, with the
 * row itself (`lambdaEnvironment(campaignSenderLambda)`) rather than its name, so a bundle
 * carries its own row and not the whole manifest.
 */
import { getBooleanFromEnv, getNumberFromEnv, getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { ENVIRONMENT_VARIABLES, type EnvironmentOf, type EnvironmentVariable, type EnvironmentVariableSpec } from './environment-variables.ts';
import type { LambdaSpec } from './manifest.ts';

/** Raised when a Lambda's environment lacks a variable its manifest row lists, or holds a malformed one. */
export class LambdaEnvironmentError extends Error {
  override readonly name = 'LambdaEnvironmentError';
  constructor(readonly variable: EnvironmentVariable, message: string, options?: { cause?: unknown }) {
    super(`${variable} ${message}`, options);
  }
}

const parse = (variable: EnvironmentVariable, spec: EnvironmentVariableSpec): string | number | boolean => {
  try {
    switch (spec.type) {
      case 'number':
        return getNumberFromEnv({ key: variable, ...(spec.defaultValue === undefined ? {} : { defaultValue: spec.defaultValue }) });
      case 'boolean':
        // Powertools turns an absent default into the string "undefined", so absence is checked here.
        if (spec.defaultValue === undefined && process.env[variable] === undefined) throw new LambdaEnvironmentError(variable, 'is not set');
        return getBooleanFromEnv({ key: variable, ...(spec.defaultValue === undefined ? {} : { defaultValue: spec.defaultValue }) });
      case 'string': {
        const value = getStringFromEnv({ key: variable, ...(spec.defaultValue === undefined ? {} : { defaultValue: spec.defaultValue }) });
        // An empty value is as unusable as none (a blank table name, a blank queue URL).
        if (value === '' && spec.defaultValue === undefined) throw new LambdaEnvironmentError(variable, 'is not set');
        return value;
      }
    }
  } catch (error) {
    if (error instanceof LambdaEnvironmentError) throw error;
    const absent = process.env[variable] === undefined;
    throw new LambdaEnvironmentError(variable, absent ? 'is not set' : `must be a ${spec.type}`, { cause: error });
  }
};

/** The parsed environment of a Lambda's manifest row: exactly its keys, typed; throws `LambdaEnvironmentError`. */
export const lambdaEnvironment = <S extends Pick<LambdaSpec, 'environment'>>(row: S): EnvironmentOf<S> => {
  const parsed: Partial<Record<EnvironmentVariable, string | number | boolean>> = {};
  for (const variable of row.environment) parsed[variable] = parse(variable, ENVIRONMENT_VARIABLES[variable]);
  return parsed as EnvironmentOf<S>;
};
