/**
 * The configuration of `DisclosurePlatform`, its defaults and the checks run at the top of the
 * constructor, so a wrong value fails `cdk synth` with a clear message instead of a deploy.
 */
import { Duration, Token } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { CompiledContent, LanguageTag, RegionCatalogue } from '../functions/core/content.ts';

/** What the infrastructure needs from the compiled content: the edge function is generated from it. */
export interface PlatformContent {
  /** Countries and subdivisions → region, exactly as the content build compiled them. */
  readonly catalogue: RegionCatalogue;
  /** Every language any notice is written in. */
  readonly languages: readonly LanguageTag[];
  /** Served when a viewer accepts none of `languages`. */
  readonly defaultLanguage: LanguageTag;
}

/** JWT authoriser for end-user, service and admin tokens on the public API. */
export interface PlatformJwtProps {
  /** Token issuer (`iss`), an `https://` URL whose `/.well-known/openid-configuration` API Gateway reads. */
  readonly issuer: string;
  /** Accepted audiences (`aud`); at least one. */
  readonly audience: readonly string[];
}

/** Rate and burst limit for an HTTP API stage. */
export interface PlatformThrottleProps {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Burst bucket size. */
  readonly burstLimit: number;
}

export interface DisclosurePlatformProps {
  /**
   * The compiled content's region catalogue and languages (built in `bin/`, passed down).
   * No default: the edge function cannot be generated without it.
   */
  readonly content: PlatformContent;
  /**
   * `From:` address of change-notice emails. Must belong to `senderIdentity`.
   * No default.
   */
  readonly senderAddress: string;
  /**
   * SES identity (a domain, or an email address) that `senderAddress` is sent from; the send
   * permission is scoped to it.
   * @default - the domain of `senderAddress`
   */
  readonly senderIdentity?: string;
  /**
   * Create the SES email identity in this stack (then publish its DKIM records). Set `false`
   * when the identity is already verified in the account: CloudFormation cannot adopt it.
   * @default true
   */
  readonly createSenderIdentity?: boolean;
  /**
   * The SES send quota, in recipients per second, shared by every concurrent sender. Bounds the
   * sender's concurrency and is passed to it as `SEND_QUOTA_PER_SECOND`.
   * @default 14 (the quota SES grants a new production account)
   */
  readonly sendQuotaPerSecond?: number;
  /**
   * Days before a campaign's deadline when the scheduler sends a reminder (0: no reminder).
   * @default 7
   */
  readonly reminderDays?: number;
  /**
   * Days an account enrolled after a campaign started (a late acceptor) has at least between its
   * email and its deadline: its deadline is the campaign's, or later by as much as needed.
   * @default 14
   */
  readonly minAnswerDays?: number;
  /**
   * Changes of choice an account may make per campaign (its first choice included): beyond them
   * the choice page answers 409, so one link cannot grow the evidence without bound.
   * @default 10
   */
  readonly choiceChangeLimit?: number;
  /**
   * Optional JWT authoriser on the public API for end-user, service and admin tokens.
   * @default - no JWT authoriser: account and admin routes exist only on the IAM-authorised service API
   */
  readonly jwt?: PlatformJwtProps;
  /**
   * Also send an informational email for material changes that do not need a choice.
   * @default false
   */
  readonly informationalEmails?: boolean;
  /**
   * Address subscribed to the alarm topics (it must confirm the subscription).
   * @default - no subscription; a `staging` or `production` stage then needs `alarmTopicArn`
   */
  readonly alarmEmail?: string;
  /**
   * An existing SNS topic every alarm also publishes to (a pager, or an AWS Chatbot / Amazon Q
   * Developer chat integration subscribed to it).
   * @default - none
   */
  readonly alarmTopicArn?: string;
  /**
   * The deployment stage. `production` refuses the placeholder sender, a missing alarm
   * destination and a missing `publicBaseUrl`; `staging` refuses a missing alarm destination;
   * `development` (tests, local synth) refuses none of them.
   * @default 'development'
   */
  readonly stage?: PlatformStage;
  /**
   * Retention of every Lambda, API access and alarm-related log group.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
  /**
   * Base URL of the links in emails (choice pages, notices).
   * @default - `https://` + the CloudFront distribution's domain name
   */
  readonly publicBaseUrl?: string;
  /**
   * Active X-Ray tracing on every function.
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * Throttling of each HTTP API stage.
   * @default { rateLimit: 200, burstLimit: 400 }
   */
  readonly apiThrottle?: PlatformThrottleProps;
  /**
   * Route-level throttling of the two public write routes, `POST /choices/{token}` and
   * `POST /v1/accounts/{accountId}/acceptances`, below the stage's (a flood of one cannot use the
   * whole stage budget).
   * @default { rateLimit: 50, burstLimit: 100 }
   */
  readonly writeRouteThrottle?: PlatformThrottleProps;
  /**
   * A custom domain for the distribution: its name and an ACM certificate ARN in us-east-1.
   * Viewers then negotiate TLSv1.2_2021 at least (the default *.cloudfront.net certificate
   * cannot raise its minimum). Set `publicBaseUrl` to `https://<domainName>` with it.
   * @default - the distribution's *.cloudfront.net name
   */
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string };
  /**
   * ARN of a WAF web ACL (scope CLOUDFRONT, in us-east-1) attached to the distribution.
   * @default - no web ACL
   */
  readonly webAclArn?: string;
  /**
   * Create a WAF web ACL (CloudFront scope) with a rate-based rule and attach it to the
   * distribution. CloudFront-scope web ACLs exist only in us-east-1, so this needs a stack in
   * us-east-1; a stack in another region passes `webAclArn` instead (docs/runbook.md, "WAF").
   * HTTP APIs take no regional web ACL, so the distribution is the only place for one.
   * @default - none (see `webAclArn`)
   */
  readonly webAcl?: PlatformWebAclProps;
  /**
   * Alarm when the oldest message of the planner or send queue is older than this.
   * @default Duration.minutes(30)
   */
  readonly queueAgeAlarmThreshold?: Duration;
  /**
   * Version id of the origin-verify secret that the distribution's `x-origin-verify` header and
   * the public Lambdas resolve. CloudFormation re-reads a dynamic reference only when its text
   * changes, so each rotation step sets this to the `VersionId` that `put-secret-value` returned
   * (docs/runbook.md, "Origin verification").
   * @default - the secret's current version when the distribution and the functions were last updated
   */
  readonly originVerifySecretVersion?: string;
}

/** The web ACL `DisclosurePlatformProps.webAcl` creates. */
export interface PlatformWebAclProps {
  /** Requests one client IP may make in any 5 minutes before WAF blocks it (WAF: 10 … 2,000,000,000). */
  readonly rateLimitPer5Minutes: number;
}

/** Where a deployment runs; see `DisclosurePlatformProps.stage`. */
export type PlatformStage = 'development' | 'staging' | 'production';
export const PLATFORM_STAGES: readonly PlatformStage[] = ['development', 'staging', 'production'];

/** Lets `cdk synth` run on a fresh clone; a production deploy refuses it. */
export const PLACEHOLDER_SENDER = 'privacy@example.com';

/** The props with every default applied. */
export interface ResolvedPlatformProps extends Required<Omit<DisclosurePlatformProps, 'jwt' | 'alarmEmail' | 'alarmTopicArn' | 'publicBaseUrl' | 'webAclArn' | 'webAcl' | 'customDomain' | 'originVerifySecretVersion'>> {
  readonly originVerifySecretVersion?: string;
  readonly webAcl?: PlatformWebAclProps;
  readonly customDomain?: DisclosurePlatformProps['customDomain'];
  readonly jwt?: PlatformJwtProps;
  readonly alarmEmail?: string;
  readonly alarmTopicArn?: string;
  readonly publicBaseUrl?: string;
  readonly webAclArn?: string;
}

/** Raised at synth when a `DisclosurePlatform` prop is invalid. */
export class PlatformPropsError extends Error {
  override readonly name = 'PlatformPropsError';
  constructor(readonly prop: string, message: string) {
    super(`DisclosurePlatform: ${prop}: ${message}`);
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const LANGUAGE = /^[a-z]{2,3}$/;
/** SES grants at most a few thousand per second; a bigger number is a typo (e.g. per day). */
const MAX_SEND_QUOTA = 5_000;

const isToken = (value: unknown): boolean => typeof value === 'string' && Token.isUnresolved(value);

/** SES lets a verified domain send from itself and its subdomains. */
const inDomain = (address: string, domain: string): boolean => {
  const host = (address.split('@')[1] ?? '').toLowerCase();
  const wanted = domain.toLowerCase();
  return host === wanted || host.endsWith(`.${wanted}`);
};

const checkEmail = (prop: string, value: string): void => {
  if (!isToken(value) && !EMAIL.test(value)) throw new PlatformPropsError(prop, 'must be an email address');
};

const checkContent = (content: PlatformContent | undefined): void => {
  if (!content) throw new PlatformPropsError('content', 'is required (build it in bin/ and pass it down)');
  if (content.languages.length === 0) throw new PlatformPropsError('content.languages', 'must name at least one language');
  for (const language of content.languages) {
    if (!LANGUAGE.test(language)) throw new PlatformPropsError('content.languages', `"${language}" is not a primary language subtag`);
  }
  if (!content.languages.includes(content.defaultLanguage)) {
    throw new PlatformPropsError('content.defaultLanguage', `"${content.defaultLanguage}" is not one of the content's languages`);
  }
  const regionIds = new Set(['global', ...content.catalogue.regions.map((region) => region.id)]);
  const mapped = [...Object.entries(content.catalogue.countries), ...Object.entries(content.catalogue.subdivisions)];
  for (const [code, region] of mapped) {
    if (!regionIds.has(region)) throw new PlatformPropsError('content.catalogue', `${code} maps to unknown region "${region}"`);
  }
};

const checkPositive = (prop: string, value: number, { integer = false, max = Number.MAX_SAFE_INTEGER, min = 1 } = {}): void => {
  if (Token.isUnresolved(value)) return;
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new PlatformPropsError(prop, `must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}, got ${value}`);
  }
};

/** Checks the props and fills in the defaults; throws `PlatformPropsError` on the first problem. */
export const resolvePlatformProps = (props: DisclosurePlatformProps): ResolvedPlatformProps => {
  checkContent(props.content);
  checkEmail('senderAddress', props.senderAddress);
  const senderIdentity = props.senderIdentity ?? props.senderAddress.split('@')[1] ?? '';
  if (!isToken(senderIdentity)) {
    if (senderIdentity.includes('@')) {
      if (senderIdentity.toLowerCase() !== props.senderAddress.toLowerCase()) {
        throw new PlatformPropsError('senderIdentity', 'an email-address identity must be the sender address itself');
      }
    } else if (!DOMAIN.test(senderIdentity)) {
      throw new PlatformPropsError('senderIdentity', `"${senderIdentity}" is not a domain name`);
    } else if (!isToken(props.senderAddress) && !inDomain(props.senderAddress, senderIdentity)) {
      throw new PlatformPropsError('senderIdentity', `the sender address is not in the domain ${senderIdentity}`);
    }
  }
  const sendQuotaPerSecond = props.sendQuotaPerSecond ?? 14;
  checkPositive('sendQuotaPerSecond', sendQuotaPerSecond, { max: MAX_SEND_QUOTA });
  const reminderDays = props.reminderDays ?? 7;
  checkPositive('reminderDays', reminderDays, { integer: true, min: 0, max: 365 });
  const minAnswerDays = props.minAnswerDays ?? 14;
  checkPositive('minAnswerDays', minAnswerDays, { integer: true, min: 1, max: 365 });
  const choiceChangeLimit = props.choiceChangeLimit ?? 10;
  checkPositive('choiceChangeLimit', choiceChangeLimit, { integer: true, min: 1, max: 1000 });
  if (props.jwt) {
    if (!isToken(props.jwt.issuer) && !/^https:\/\/[^\s/]+/.test(props.jwt.issuer)) {
      throw new PlatformPropsError('jwt.issuer', 'must be an https:// URL (API Gateway discovers the keys from it)');
    }
    if (props.jwt.audience.length === 0 || props.jwt.audience.some((audience) => audience.trim() === '')) {
      throw new PlatformPropsError('jwt.audience', 'must name at least one non-empty audience');
    }
  }
  if (props.alarmEmail !== undefined) checkEmail('alarmEmail', props.alarmEmail);
  if (props.publicBaseUrl !== undefined && !isToken(props.publicBaseUrl) && !/^https:\/\/[^\s/]+[^\s]*[^/\s]$/.test(props.publicBaseUrl)) {
    throw new PlatformPropsError('publicBaseUrl', 'must be an https:// URL without a trailing slash');
  }
  const apiThrottle = props.apiThrottle ?? { rateLimit: 200, burstLimit: 400 };
  checkPositive('apiThrottle.rateLimit', apiThrottle.rateLimit, { max: 10_000 });
  checkPositive('apiThrottle.burstLimit', apiThrottle.burstLimit, { integer: true, max: 5_000 });
  if (props.webAclArn !== undefined && !isToken(props.webAclArn) && !props.webAclArn.startsWith('arn:aws:wafv2:us-east-1:')) {
    throw new PlatformPropsError('webAclArn', 'must be a WAFv2 web ACL ARN in us-east-1 (CloudFront scope)');
  }
  if (props.webAcl !== undefined) {
    if (props.webAclArn !== undefined) throw new PlatformPropsError('webAcl', 'give webAcl (create one) or webAclArn (attach yours), not both');
    checkPositive('webAcl.rateLimitPer5Minutes', props.webAcl.rateLimitPer5Minutes, { integer: true, min: 10, max: 2_000_000_000 });
  }
  const writeRouteThrottle = props.writeRouteThrottle ?? { rateLimit: 50, burstLimit: 100 };
  checkPositive('writeRouteThrottle.rateLimit', writeRouteThrottle.rateLimit, { max: apiThrottle.rateLimit });
  checkPositive('writeRouteThrottle.burstLimit', writeRouteThrottle.burstLimit, { integer: true, max: apiThrottle.burstLimit });
  if (props.customDomain && !isToken(props.customDomain.certificateArn) && !/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/.test(props.customDomain.certificateArn)) {
    throw new PlatformPropsError('customDomain.certificateArn', 'must be an ACM certificate ARN in us-east-1 (CloudFront)');
  }
  const queueAgeAlarmThreshold = props.queueAgeAlarmThreshold ?? Duration.minutes(30);
  // Secrets Manager version ids are UUIDs (32 to 64 characters of letters, digits and hyphens).
  if (props.originVerifySecretVersion !== undefined && !isToken(props.originVerifySecretVersion) && !/^[A-Za-z0-9-]{32,64}$/.test(props.originVerifySecretVersion)) {
    throw new PlatformPropsError('originVerifySecretVersion', 'must be a Secrets Manager VersionId (as put-secret-value returns it)');
  }
  const stage = props.stage ?? 'development';
  if (!PLATFORM_STAGES.includes(stage)) throw new PlatformPropsError('stage', `must be one of ${PLATFORM_STAGES.join(', ')}, got "${String(stage)}"`);
  if (props.alarmTopicArn !== undefined && !isToken(props.alarmTopicArn) && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/.test(props.alarmTopicArn)) {
    throw new PlatformPropsError('alarmTopicArn', 'must be an SNS topic ARN');
  }
  if (stage !== 'development' && props.alarmEmail === undefined && props.alarmTopicArn === undefined) {
    throw new PlatformPropsError('alarmEmail', `a ${stage} deployment needs an alarm destination: alarmEmail or alarmTopicArn (an SNS topic, e.g. a chat integration's)`);
  }
  if (stage === 'production') {
    if (props.senderAddress.toLowerCase() === PLACEHOLDER_SENDER) {
      throw new PlatformPropsError('senderAddress', `a production deployment refuses the placeholder ${PLACEHOLDER_SENDER}: name the verified sender`);
    }
    if (props.publicBaseUrl === undefined) {
      throw new PlatformPropsError('publicBaseUrl', 'a production deployment needs a custom domain, so the links in emails survive a replacement of the distribution');
    }
  }
  return {
    stage,
    alarmTopicArn: props.alarmTopicArn,
    content: props.content,
    senderAddress: props.senderAddress,
    senderIdentity,
    createSenderIdentity: props.createSenderIdentity ?? true,
    sendQuotaPerSecond,
    reminderDays,
    minAnswerDays,
    choiceChangeLimit,
    jwt: props.jwt,
    informationalEmails: props.informationalEmails ?? false,
    alarmEmail: props.alarmEmail,
    logRetention: props.logRetention ?? RetentionDays.THREE_MONTHS,
    publicBaseUrl: props.publicBaseUrl,
    tracing: props.tracing ?? false,
    apiThrottle,
    writeRouteThrottle,
    customDomain: props.customDomain,
    webAclArn: props.webAclArn,
    webAcl: props.webAcl,
    queueAgeAlarmThreshold,
    originVerifySecretVersion: props.originVerifySecretVersion,
  };
};

type CompiledNotice = CompiledContent['notices'][number];

/** What `platformContentOf` reads of a compiled artifact, so a test can pass just these fields. */
export interface PlatformContentSource {
  readonly catalogue: CompiledContent['catalogue'];
  readonly notices: readonly (Pick<CompiledNotice, 'defaultLanguage'> & { readonly versions: readonly Pick<CompiledNotice['versions'][number], 'languages'>[] })[];
}

/** The part of a compiled content artifact the platform needs (catalogue and languages). */
export const platformContentOf = (compiled: PlatformContentSource): PlatformContent => {
  const languages = [...new Set(compiled.notices.flatMap((notice) => notice.versions.flatMap((version) => version.languages)))].sort();
  const defaultLanguage = compiled.notices[0]?.defaultLanguage ?? languages[0] ?? 'en';
  return { catalogue: compiled.catalogue, languages, defaultLanguage };
};
