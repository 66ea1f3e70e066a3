/**
 * What SES's refusals mean for a campaign, in one table shared by the sender (block the
 * campaign, never fail the recipient) and `retry-failed` (which failures are worth another try).
 * Pure data: no SDK.
 */

/**
 * Per-entry statuses and call-level errors that say our configuration is wrong, not the recipient:
 * the campaign is blocked (never a recipient failed) until an operator fixes it. The reason is ours.
 */
export const CONFIGURATION_FAULTS: Readonly<Record<string, string>> = {
  AccessDeniedException: 'SES refused the sender (IAM access denied)',
  MessageRejected: 'SES rejected the message: sender identity not verified, or the account is in the sandbox',
  MailFromDomainNotVerifiedException: 'the MAIL FROM domain is not verified',
  AccountSuspendedException: 'the SES account is suspended',
  SendingPausedException: 'sending is paused for the SES account or the configuration set',
  NotFoundException: 'the configuration set or the sender identity does not exist',
  MAIL_FROM_DOMAIN_NOT_VERIFIED: 'the MAIL FROM domain is not verified',
  ACCOUNT_SUSPENDED: 'the SES account is suspended',
  ACCOUNT_SENDING_PAUSED: 'sending is paused for the SES account',
  CONFIGURATION_SET_SENDING_PAUSED: 'sending is paused for the configuration set',
  CONFIGURATION_SET_NOT_FOUND: 'the configuration set does not exist',
  TEMPLATE_NOT_FOUND: 'the email template does not exist',
  INVALID_SENDING_POOL_NAME: 'the configuration set names a sending pool that does not exist',
};

/** The blocked reason of an SES error name or entry status, if it is a configuration fault. */
export const configurationFaultOf = (code: string | undefined): string | undefined =>
  code !== undefined && Object.hasOwn(CONFIGURATION_FAULTS, code) ? `${code}: ${CONFIGURATION_FAULTS[code]}` : undefined;

/**
 * Failure reasons recorded on a recipient that another send may cure: the configuration faults
 * (recorded as failures before campaigns could be blocked), and SES's per-entry refusals that do
 * not say the address is bad. `no-contact` is cured by late enrolment instead; `INVALID_PARAMETER`
 * and a bad request never.
 */
const RETRYABLE_FAILURES = new Set(['MESSAGE_REJECTED', 'FAILED', 'TRANSIENT_FAILURE', 'ACCOUNT_THROTTLED', 'ACCOUNT_DAILY_QUOTA_EXCEEDED']);

/** Whether a recipient that failed for `reason` may be sent again by `retry-failed`. */
export const isRetryableFailure = (reason: string | undefined): boolean =>
  reason !== undefined && (RETRYABLE_FAILURES.has(reason) || configurationFaultOf(reason) !== undefined);
