/**
 * The SES account the local endpoint plays: what `GetAccount` and `GetEmailIdentity` answer
 * (shapes of the SES v2 API reference), and the consequences real SES draws from that state for a
 * send — an unverified sender identity or a sandboxed account refuses with `MessageRejected`,
 * sending disabled with `SendingPausedException` — plus a call-fault switch that answers every
 * call with one error (e.g. IAM's `AccessDeniedException`) until it is cleared. Tests change the
 * state while the platform runs (`SesEndpoint.account`).
 */

/** One error SES answers a whole call with. */
export interface SesCallFault {
  /** The error code (`x-amzn-ErrorType`, the SDK error's `name`). */
  readonly name: string;
  readonly status: number;
  readonly message: string;
}

/** The configuration faults tests switch on, as SES (and IAM in front of it) answers them. */
export const SES_CALL_FAULTS = {
  accessDenied: { name: 'AccessDeniedException', status: 403, message: 'User is not authorized to perform this action on the resource' },
  accountSuspended: { name: 'AccountSuspendedException', status: 400, message: 'The account has been suspended' },
  sendingPaused: { name: 'SendingPausedException', status: 400, message: 'Sending is paused for this account' },
  mailFromNotVerified: { name: 'MailFromDomainNotVerifiedException', status: 400, message: 'The MAIL FROM domain is not verified' },
} as const satisfies Record<string, SesCallFault>;

export interface SesAccountSettings {
  /** Out of the sandbox. @default true */
  productionAccessEnabled?: boolean;
  /** @default true */
  sendingEnabled?: boolean;
  /** `SendQuota.MaxSendRate`. @default the endpoint's quota, else 1000 */
  maxSendRate?: number;
  /** @default 1_000_000 */
  max24HourSend?: number;
}

export interface SesIdentitySettings {
  /** @default true */
  verifiedForSending?: boolean;
  /** `DkimAttributes.Status` of a domain identity. @default 'SUCCESS' */
  dkimStatus?: 'PENDING' | 'SUCCESS' | 'FAILED' | 'TEMPORARY_FAILURE' | 'NOT_STARTED';
}

/** The account state behind the local endpoint; every identity exists and is verified unless set otherwise. */
export class SesAccountState {
  readonly #account: Required<SesAccountSettings>;
  readonly #identities = new Map<string, SesIdentitySettings>();
  #fault: SesCallFault | undefined;
  #faultScope: 'all' | 'send' = 'all';
  #sentLast24Hours = 0;

  constructor(maxSendRate: number | undefined) {
    this.#account = { productionAccessEnabled: true, sendingEnabled: true, maxSendRate: maxSendRate ?? 1000, max24HourSend: 1_000_000 };
  }

  /** Change the account (sandbox, sending, quota). */
  setAccount(settings: SesAccountSettings): void {
    Object.assign(this.#account, settings);
  }

  /** Change one identity (a domain or an address) the way SES would see it. */
  setIdentity(identity: string, settings: SesIdentitySettings): void {
    this.#identities.set(identity.toLowerCase(), { ...this.#identities.get(identity.toLowerCase()), ...settings });
  }

  /** Answer every call (or only the sends) with this error from now on; `undefined` clears it. */
  setCallFault(fault: SesCallFault | undefined, scope: 'all' | 'send' = 'all'): void {
    this.#fault = fault;
    this.#faultScope = scope;
  }

  /** The fault an account read (`GetAccount`, `GetEmailIdentity`) is answered with, if any. */
  get readFault(): SesCallFault | undefined {
    return this.#faultScope === 'all' ? this.#fault : undefined;
  }

  /** Count accepted recipients against the daily quota. */
  noteSent(recipients: number): void {
    this.#sentLast24Hours += recipients;
  }

  /** `GET /v2/email/account`. */
  getAccount(): Record<string, unknown> {
    const a = this.#account;
    return {
      DedicatedIpAutoWarmupEnabled: false,
      EnforcementStatus: a.sendingEnabled ? 'HEALTHY' : 'SHUTDOWN',
      ProductionAccessEnabled: a.productionAccessEnabled,
      SendQuota: { Max24HourSend: a.max24HourSend, MaxSendRate: a.maxSendRate, SentLast24Hours: this.#sentLast24Hours },
      SendingEnabled: a.sendingEnabled,
      SuppressionAttributes: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    };
  }

  /** `GET /v2/email/identities/{EmailIdentity}`. */
  getEmailIdentity(identity: string): Record<string, unknown> {
    const settings = this.#settingsOf(identity);
    const verified = settings.verifiedForSending ?? true;
    const isAddress = identity.includes('@');
    const dkimStatus = settings.dkimStatus ?? 'SUCCESS';
    return {
      IdentityType: isAddress ? 'EMAIL_ADDRESS' : 'DOMAIN',
      FeedbackForwardingStatus: true,
      VerifiedForSendingStatus: verified,
      VerificationStatus: verified ? 'SUCCESS' : 'PENDING',
      DkimAttributes: isAddress
        ? { SigningEnabled: false, Status: 'NOT_STARTED' }
        : { SigningEnabled: true, Status: dkimStatus, SigningAttributesOrigin: 'AWS_SES', Tokens: ['local1', 'local2', 'local3'] },
      MailFromAttributes: { BehaviorOnMxFailure: 'USE_DEFAULT_VALUE', MailFromDomain: '', MailFromDomainStatus: 'SUCCESS' },
      Policies: {},
      Tags: [],
    };
  }

  /** What SES would refuse a send from `from` to `recipients` with, if anything (the fault switch first). */
  refusalOf(from: string, recipients: readonly string[]): SesCallFault | undefined {
    if (this.#fault) return this.#fault;
    if (!this.#account.sendingEnabled) return SES_CALL_FAULTS.sendingPaused;
    const domain = from.split('@')[1] ?? '';
    const address = this.#identities.get(from.toLowerCase());
    const verified = (address?.verifiedForSending ?? false) || (this.#settingsOf(domain).verifiedForSending ?? true);
    // SES's message names the failing identities; ours does not echo an address back.
    if (!verified) return { name: 'MessageRejected', status: 400, message: 'Email address is not verified. The sender identity failed the check.' };
    if (!this.#account.productionAccessEnabled && recipients.some((to) => !this.#isVerifiedRecipient(to))) {
      return { name: 'MessageRejected', status: 400, message: 'Email address is not verified. A recipient failed the check (sandbox).' };
    }
    if (this.#sentLast24Hours + recipients.length > this.#account.max24HourSend) {
      return { name: 'LimitExceededException', status: 400, message: 'Daily message quota exceeded.' };
    }
    return undefined;
  }

  #settingsOf(identity: string): SesIdentitySettings {
    return this.#identities.get(identity.toLowerCase()) ?? {};
  }

  /** In the sandbox SES sends only to verified addresses and its mailbox simulator. */
  #isVerifiedRecipient(to: string): boolean {
    const lower = to.toLowerCase();
    return lower.endsWith('@simulator.amazonses.com') || this.#identities.get(lower)?.verifiedForSending === true;
  }
}
