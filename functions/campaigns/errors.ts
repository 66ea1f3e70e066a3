/** Errors of the campaign engine. Names end in `Error`; each carries its `cause`. */
export class CampaignError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** SES refused the whole call in a way worth retrying later (429, 5xx, sending paused). */
export class RetryableSendError extends CampaignError {}

/**
 * SES refused a send for the platform's own configuration (IAM access denied, unverified identity
 * or MAIL FROM domain, account suspended or sending paused): no recipient is at fault, so the
 * campaign is blocked until the configuration is fixed. `reason` is ours, never SES's message
 * (which can name an address).
 */
export class SendingBlockedError extends CampaignError {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`sending blocked: ${reason}`, options);
  }
}

/** A configuration that cannot work (quota smaller than one call, missing sender …). */
export class CampaignConfigurationError extends CampaignError {}

/** A fault injected by a test or the bench to simulate the process dying at a named point. */
export class InjectedCrashError extends CampaignError {}
