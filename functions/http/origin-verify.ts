/**
 * Origin verification: behind CloudFront, the public API's own execute-api URL must not be a way
 * around the distribution (its region function, WAF and caching). The distribution adds a secret
 * header to every origin request (`x-origin-verify`, lib/edge/origin-secret.ts); the public
 * Lambdas refuse a request without it with 403 problem+json. The accepted values come from the
 * Lambda's environment (`ORIGIN_VERIFY_VALUES`: the secret's JSON, every string value accepted,
 * so a rotation can accept two; docs/runbook.md, "Origin verification"). Unset or empty: the
 * check is off (the local platform, `npm start`, tests that call a handler directly).
 *
 * Requests the IAM authoriser admitted are not checked: IAM routes exist on the service API only,
 * which CloudFront does not front, and nothing arriving on the public API can carry IAM context.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { problemFor, problemResponse } from './problem.ts';

/** The header CloudFront adds to every request it sends to the public API. */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

/** The answer to a request that did not come through CloudFront, or undefined to let it through. */
export type OriginVerifier = (event: APIGatewayProxyEventV2) => APIGatewayProxyStructuredResultV2 | undefined;

/** Raised when `ORIGIN_VERIFY_VALUES` is set but holds no value to accept. */
export class OriginVerifyConfigError extends Error {
  override readonly name = 'OriginVerifyConfigError';
}

// `node:crypto` is loaded when a verifier is built, not imported: with the check off (unset) no
// Lambda's import pays for it (the notices Lambda's cold import is held to 1.5× an empty bundle's).
const crypto = () => process.getBuiltinModule('node:crypto');

const digest = (value: string): Buffer => crypto().createHash('sha256').update(value, 'utf8').digest();

/** The values a configuration accepts: a JSON object's non-empty string values (`{"current": "…", "previous": "…"}`). */
export const acceptedOriginValues = (configured: string): string[] => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(configured);
  } catch {
    throw new OriginVerifyConfigError('ORIGIN_VERIFY_VALUES is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new OriginVerifyConfigError('ORIGIN_VERIFY_VALUES must be a JSON object');
  const values = Object.values(parsed).filter((value): value is string => typeof value === 'string' && value !== '');
  if (values.length === 0) throw new OriginVerifyConfigError('ORIGIN_VERIFY_VALUES holds no value to accept');
  return values;
};

const forbidden = (): APIGatewayProxyStructuredResultV2 =>
  problemResponse(problemFor(403, 'requests reach this API through its public URL only', { type: 'https://disclosure.dev/problems/forbidden', title: 'Forbidden' }));

/**
 * The verifier for a configuration (`ORIGIN_VERIFY_VALUES`), or undefined when the check is off
 * (unset or empty). Compares SHA-256 digests with `timingSafeEqual`, against every accepted value
 * without stopping at a match: the time taken tells nothing about the header or which value matched.
 */
export const originVerifier = (configured: string | undefined): OriginVerifier | undefined => {
  if (configured === undefined || configured.trim() === '') return undefined;
  const accepted = acceptedOriginValues(configured).map(digest);
  const { timingSafeEqual } = crypto();
  return (event) => {
    if ((event.requestContext as { authorizer?: { iam?: unknown } } | undefined)?.authorizer?.iam) return undefined;
    const header = event.headers?.[ORIGIN_VERIFY_HEADER];
    const given = digest(typeof header === 'string' ? header : '');
    let matched = false;
    for (const value of accepted) matched = timingSafeEqual(given, value) || matched;
    return matched && typeof header === 'string' && header !== '' ? undefined : forbidden();
  };
};
