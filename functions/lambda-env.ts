/**
 * The one way a Lambda reads its environment: `lambdaEnvironment(name)` parses exactly the
 * variables the manifest lists for that Lambda, through the Powertools env utilities, and fails
 * fast naming the first variable that is missing or malformed. Called from `defaultDeps` only.
 */
import { getBooleanFromEnv, getNumberFromEnv, getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import {
  ENVIRONMENT_VARIABLES,
  LAMBDAS,
  type EnvironmentVariable,
  type EnvironmentVariableSpec,
  type LambdaEnvironment,
  type LambdaName,
} from './manifest.ts';

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

/** The parsed environment of one Lambda: exactly its manifest keys, typed; throws `LambdaEnvironmentError`. */
export const lambdaEnvironment = <N extends LambdaName>(name: N): LambdaEnvironment<N> => {
  const parsed: Partial<Record<EnvironmentVariable, string | number | boolean>> = {};
  for (const variable of LAMBDAS[name].environment as readonly EnvironmentVariable[]) {
    parsed[variable] = parse(variable, ENVIRONMENT_VARIABLES[variable]);
  }
  return parsed as LambdaEnvironment<N>;
};
