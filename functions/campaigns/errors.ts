/** Errors of the campaign engine. Names end in `Error`; each carries its `cause`. */
export class CampaignError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** SES refused the whole call in a way worth retrying later (429, 5xx, sending paused). */
export class RetryableSendError extends CampaignError {}

/** A configuration that cannot work (quota smaller than one call, missing sender …). */
export class CampaignConfigurationError extends CampaignError {}

/** A fault injected by a test or the bench to simulate the process dying at a named point. */
export class InjectedCrashError extends CampaignError {}
