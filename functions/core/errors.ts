/**
 * Domain errors. They say what went wrong in domain terms and never mention HTTP;
 * `functions/http/problem.ts` is the one place that maps them to problem+json.
 */
export class DisclosureError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that does not have the right shape (malformed country, version, body …). */
export class InvalidInputError extends DisclosureError {
  constructor(
    message: string,
    readonly issues: readonly { path: string; message: string }[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Well-formed input that breaks a domain rule (e.g. a region a notice does not serve). */
export class UnprocessableError extends DisclosureError {}

/** A notice, version, account, campaign … that does not exist. */
export class NotFoundError extends DisclosureError {}

/** One field where a request differs from what is recorded. */
export interface Conflict {
  readonly field: string;
  readonly requested: unknown;
  readonly existing: unknown;
}

/** The request conflicts with recorded state (e.g. a content hash that is not the variant's). */
export class ConflictError extends DisclosureError {
  constructor(
    message: string,
    /** Where the request differs from the recorded state, both values (no personal data). */
    readonly conflicts: readonly Conflict[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** No or invalid credentials. */
export class UnauthenticatedError extends DisclosureError {}

/** Valid credentials that may not do this. */
export class ForbiddenError extends DisclosureError {}

/** A choice token that is malformed, tampered with, expired or for another campaign/account. */
export class InvalidTokenError extends DisclosureError {}

/** A choice offered after its deadline, or a campaign in the wrong state. */
export class GoneError extends DisclosureError {}

/** One precondition of an operation that does not hold, and what was found. */
export interface FailedCheck {
  readonly check: string;
  readonly detail: string;
}

/** An operation whose preconditions outside the request do not hold yet (e.g. SES not ready to send a campaign). */
export class NotReadyError extends DisclosureError {
  constructor(
    message: string,
    readonly checks: readonly FailedCheck[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
