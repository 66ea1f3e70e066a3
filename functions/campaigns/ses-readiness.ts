/**
 * SES readiness: before a campaign starts (and in its dry run), and before a blocked campaign is
 * let go again, check that SES can send it — production access (out of the sandbox), sending
 * enabled, a send rate at least the configured quota, daily quota left, the sender identity
 * verified for sending with DKIM. Each check says what it found, so an operator knows which
 * setting to fix. The SES calls are behind `SesAccountReader` (`ses-account.ts` over SES v2).
 */

/** What `GetAccount` and `GetEmailIdentity` answer, as far as readiness needs them. */
export interface SesAccountView {
  readonly productionAccessEnabled: boolean;
  readonly sendingEnabled: boolean;
  readonly maxSendRate: number;
  readonly max24HourSend: number;
  readonly sentLast24Hours: number;
}

export interface SesIdentityView {
  readonly identityType: string;
  readonly verifiedForSending: boolean;
  /** `DkimAttributes.Status`; absent for an address identity (it signs with its domain's DKIM). */
  readonly dkimStatus?: string;
}

/** The port over SES's account reads; each throws the SDK's error (its `name`) when SES refuses. */
export interface SesAccountReader {
  getAccount(): Promise<SesAccountView>;
  /** Undefined when SES has no such identity. */
  getIdentity(identity: string): Promise<SesIdentityView | undefined>;
}

export type ReadinessCheckName = 'ses-access' | 'production-access' | 'sending-enabled' | 'send-rate' | 'daily-quota' | 'identity-verified' | 'dkim';

export interface ReadinessCheck {
  readonly check: ReadinessCheckName;
  readonly ok: boolean;
  /** What was found (no address, no secret). */
  readonly detail: string;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: readonly ReadinessCheck[];
}

export interface ReadinessInput {
  /** The SES identity the sender address belongs to (a domain, or the address itself). */
  readonly identity: string;
  /** The configured send quota (recipients per second); no rate check without it. */
  readonly ratePerSecond?: number;
}

/** The name of a thrown SDK error (never its message, which may name an address). */
const errorName = (error: unknown): string => (error as { name?: unknown } | null)?.name?.toString() ?? 'Error';

/** Run every readiness check against SES. */
export const checkSesReadiness = async (reader: SesAccountReader, input: ReadinessInput): Promise<ReadinessReport> => {
  const checks: ReadinessCheck[] = [];
  let account: SesAccountView;
  let identity: SesIdentityView | undefined;
  try {
    [account, identity] = await Promise.all([reader.getAccount(), reader.getIdentity(input.identity)]);
  } catch (error) {
    checks.push({ check: 'ses-access', ok: false, detail: `SES refused the account reads (${errorName(error)})` });
    return { ready: false, checks };
  }
  checks.push({ check: 'ses-access', ok: true, detail: 'GetAccount and GetEmailIdentity answered' });
  checks.push({
    check: 'production-access',
    ok: account.productionAccessEnabled,
    detail: account.productionAccessEnabled ? 'production access enabled' : 'the account is in the SES sandbox: it can only email verified addresses',
  });
  checks.push({ check: 'sending-enabled', ok: account.sendingEnabled, detail: account.sendingEnabled ? 'sending enabled' : 'sending is disabled (paused) for the account' });
  if (input.ratePerSecond !== undefined) {
    const ok = account.maxSendRate >= input.ratePerSecond;
    checks.push({ check: 'send-rate', ok, detail: `SES allows ${account.maxSendRate}/s, the platform is configured for ${input.ratePerSecond}/s` });
  }
  const left = account.max24HourSend - account.sentLast24Hours;
  checks.push({ check: 'daily-quota', ok: left > 0, detail: `${Math.max(0, left)} of ${account.max24HourSend} emails left in the last 24 hours` });
  if (!identity) {
    checks.push({ check: 'identity-verified', ok: false, detail: `SES has no identity ${input.identity}` });
    return { ready: false, checks };
  }
  checks.push({
    check: 'identity-verified',
    ok: identity.verifiedForSending,
    detail: identity.verifiedForSending ? `${input.identity} is verified for sending` : `${input.identity} is not verified for sending`,
  });
  if (identity.identityType !== 'EMAIL_ADDRESS' || identity.dkimStatus !== undefined) {
    // An address identity signs with its domain's DKIM when the domain is verified; only a domain must show SUCCESS itself.
    const ok = identity.dkimStatus === 'SUCCESS' || identity.identityType === 'EMAIL_ADDRESS';
    checks.push({ check: 'dkim', ok, detail: `DKIM ${identity.dkimStatus ?? 'not set up'}` });
  }
  return { ready: checks.every((check) => check.ok), checks };
};

/** The failed checks in one sentence. */
export const readinessSummary = (report: ReadinessReport): string =>
  report.checks
    .filter((check) => !check.ok)
    .map((check) => `${check.check}: ${check.detail}`)
    .join('; ');
