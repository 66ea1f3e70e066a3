/**
 * The one place that turns errors into RFC 9457 `application/problem+json` responses.
 * Domain errors map by class; middy HTTP errors (< 500) keep their status; anything else is a
 * bare 500 with no detail, so no message or stack trace of an unexpected error leaves the process.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  ConflictError,
  DisclosureError,
  ForbiddenError,
  GoneError,
  InvalidInputError,
  InvalidTokenError,
  NotFoundError,
  NotReadyError,
  UnauthenticatedError,
  UnprocessableError,
} from '../core/errors.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://disclosure.dev/problems/';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly errors?: readonly { path: string; message: string }[];
  /** A 409's fields that differ, with the requested and the recorded value. */
  readonly conflicts?: readonly { field: string; requested: unknown; existing: unknown }[];
  /** A `not-ready` 409's failed preconditions, each with what was found. */
  readonly checks?: readonly { check: string; detail: string }[];
}

const byClass: readonly [new (...args: never[]) => DisclosureError, number, string, string][] = [
  [InvalidInputError, 400, 'invalid-request', 'Invalid request'],
  [UnprocessableError, 422, 'unprocessable', 'Unprocessable request'],
  [NotFoundError, 404, 'not-found', 'Not found'],
  [ConflictError, 409, 'conflict', 'Conflict'],
  [NotReadyError, 409, 'not-ready', 'Not ready'],
  [UnauthenticatedError, 401, 'unauthenticated', 'Authentication required'],
  [ForbiddenError, 403, 'forbidden', 'Forbidden'],
  [InvalidTokenError, 403, 'invalid-token', 'Invalid or expired link'],
  [GoneError, 410, 'gone', 'No longer available'],
];

const httpTitles: Record<number, [string, string]> = {
  400: ['bad-request', 'Bad request'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  406: ['not-acceptable', 'Not acceptable'],
  413: ['payload-too-large', 'Payload too large'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  422: ['unprocessable', 'Unprocessable request'],
  429: ['too-many-requests', 'Too many requests'],
  431: ['request-header-fields-too-large', 'Request header fields too large'],
};

/** Build a problem document for a known status. */
export const problemFor = (status: number, detail?: string, extra: Partial<Problem> = {}): Problem => {
  const [slug, title] = httpTitles[status] ?? (status >= 500 ? ['internal', 'Internal error'] : ['error', 'Error']);
  return { type: TYPE_BASE + slug, title, status, ...(detail ? { detail } : {}), ...extra };
};

/** Map any thrown value to a problem document; never exposes an unexpected error's message. */
export const toProblem = (error: unknown): Problem => {
  for (const [cls, status, slug, title] of byClass) {
    if (error instanceof cls) {
      const issues = error instanceof InvalidInputError && error.issues.length > 0 ? { errors: error.issues } : {};
      const conflicts = error instanceof ConflictError && error.conflicts.length > 0 ? { conflicts: error.conflicts } : {};
      const checks = error instanceof NotReadyError && error.checks.length > 0 ? { checks: error.checks } : {};
      return { type: TYPE_BASE + slug, title, status, detail: error.message, ...issues, ...conflicts, ...checks };
    }
  }
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return problemFor(statusCode, (error as Error).message);
  }
  return problemFor(500);
};

/** A problem document as an API Gateway v2 result. */
export const problemResponse = (problem: Problem, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 => ({
  statusCode: problem.status,
  headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, 'Cache-Control': 'no-store', ...headers },
  body: JSON.stringify(problem),
});
