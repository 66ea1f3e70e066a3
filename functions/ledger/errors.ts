/** Errors of the acceptance ledger. Domain terms only; `functions/http/problem.ts` maps them. */
import { ConflictError, DisclosureError, InvalidInputError } from '../core/errors.ts';

/** A pagination cursor that was not issued by us for this query (tampered, truncated, foreign). */
export class InvalidCursorError extends InvalidInputError {
  constructor(options?: { cause?: unknown }) {
    super('the cursor is not valid for this query', [{ path: 'cursor', message: 'invalid cursor' }], options);
  }
}

/** An acceptance that does not name a published variant exactly (version, region, language, hash). */
export class UnknownVariantError extends ConflictError {}

/** The store answered in a way the ledger cannot interpret (corrupt item, missing attribute). */
export class LedgerIntegrityError extends DisclosureError {}
