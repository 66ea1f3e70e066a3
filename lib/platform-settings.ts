/**
 * Deploy-time settings (strings from `-c name=value` or `DISCLOSURE_<NAME>`) → platform props.
 * Pure: `bin/app.ts` reads context and the environment and hands the lookup in.
 */
import { Duration } from 'aws-cdk-lib';
import { PLACEHOLDER_SENDER, PLATFORM_STAGES, type DisclosurePlatformProps, type PlatformContent, type PlatformStage } from './disclosure-platform-props.ts';

/** Every setting `bin/app.ts` understands (see docs/runbook.md, "Deploy"). */
export const SETTING_NAMES = [
  'senderAddress', 'senderIdentity', 'createSenderIdentity', 'jwtIssuer', 'jwtAudience', 'alarmEmail',
  'sendQuotaPerSecond', 'reminderDays', 'informationalEmails', 'publicBaseUrl', 'webAclArn', 'webAclRateLimit', 'tracing',
  'queueAgeAlarmMinutes', 'stackName', 'account', 'region', 'stage', 'alarmTopicArn', 'minAnswerDays', 'choiceChangeLimit',
  'originVerifySecretVersion',
] as const;
export type SettingName = (typeof SETTING_NAMES)[number];

/** `senderAddress` → `DISCLOSURE_SENDER_ADDRESS`. */
export const environmentNameOf = (name: SettingName): string => `DISCLOSURE_${name.replace(/([A-Z])/g, '_$1').toUpperCase()}`;

const stageOf = (value: string | undefined): PlatformStage | undefined => {
  if (value === undefined) return undefined;
  if (!PLATFORM_STAGES.includes(value as PlatformStage)) throw new SettingError(`stage: expected one of ${PLATFORM_STAGES.join(', ')}, got "${value}"`);
  return value as PlatformStage;
};

/** Raised when a setting cannot be read as the type it needs. */
export class SettingError extends Error {
  override readonly name = 'SettingError';
}

/**
 * The settings of one stage from the `stages` context of `cdk.json` (version-controlled, so a
 * redeploy cannot drop one): `{ "<stage>": { "<setting>": "<value>", ... } }`.
 */
export const stageSettingsOf = (stages: unknown, stage: string): Partial<Record<SettingName, string>> => {
  if (!PLATFORM_STAGES.includes(stage as PlatformStage)) throw new SettingError(`stage: expected one of ${PLATFORM_STAGES.join(', ')}, got "${stage}"`);
  if (stages === undefined) return {};
  if (typeof stages !== 'object' || stages === null) throw new SettingError('the "stages" context must be an object of stages');
  const entry: unknown = (stages as Record<string, unknown>)[stage];
  if (entry === undefined) return {};
  if (typeof entry !== 'object' || entry === null) throw new SettingError(`stages.${stage} must be an object of settings`);
  const settings: Partial<Record<SettingName, string>> = {};
  for (const [name, value] of Object.entries(entry)) {
    if (!(SETTING_NAMES as readonly string[]).includes(name) || name === 'stage') throw new SettingError(`stages.${stage}.${name}: not a setting`);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw new SettingError(`stages.${stage}.${name}: expected a string, number or boolean`);
    settings[name as SettingName] = String(value);
  }
  return settings;
};

/** The props for the settings; unset ones keep the construct's documented defaults. */
export const platformPropsFromSettings = (
  setting: (name: SettingName) => string | undefined,
  content: PlatformContent,
): { props: DisclosurePlatformProps; placeholderSender: boolean } => {
  const number = (name: SettingName): number | undefined => {
    const value = setting(name);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed)) throw new SettingError(`${name}: "${value}" is not a number`);
    return parsed;
  };
  const boolean = (name: SettingName): boolean | undefined => {
    const value = setting(name);
    if (value === undefined) return undefined;
    if (value !== 'true' && value !== 'false') throw new SettingError(`${name}: expected true or false, got "${value}"`);
    return value === 'true';
  };
  const senderAddress = setting('senderAddress');
  const jwtIssuer = setting('jwtIssuer');
  const queueAgeMinutes = number('queueAgeAlarmMinutes');
  const webAclRateLimit = number('webAclRateLimit');
  return {
    placeholderSender: senderAddress === undefined,
    props: {
      content,
      senderAddress: senderAddress ?? PLACEHOLDER_SENDER,
      senderIdentity: setting('senderIdentity'),
      // Never create an SES identity for the placeholder's domain.
      createSenderIdentity: boolean('createSenderIdentity') ?? senderAddress !== undefined,
      sendQuotaPerSecond: number('sendQuotaPerSecond'),
      reminderDays: number('reminderDays'),
      minAnswerDays: number('minAnswerDays'),
      choiceChangeLimit: number('choiceChangeLimit'),
      jwt: jwtIssuer
        ? { issuer: jwtIssuer, audience: (setting('jwtAudience') ?? 'disclosure').split(',').map((audience) => audience.trim()).filter(Boolean) }
        : undefined,
      informationalEmails: boolean('informationalEmails'),
      alarmEmail: setting('alarmEmail'),
      alarmTopicArn: setting('alarmTopicArn'),
      stage: stageOf(setting('stage')),
      publicBaseUrl: setting('publicBaseUrl'),
      tracing: boolean('tracing'),
      webAclArn: setting('webAclArn'),
      ...(webAclRateLimit === undefined ? {} : { webAcl: { rateLimitPer5Minutes: webAclRateLimit } }),
      queueAgeAlarmThreshold: queueAgeMinutes === undefined ? undefined : Duration.minutes(queueAgeMinutes),
      originVerifySecretVersion: setting('originVerifySecretVersion'),
    },
  };
};

/**
 * Where the distribution's alarms go (CloudFront's metrics exist in us-east-1 only): into the
 * platform stack when it is in us-east-1, into a companion stack in us-east-1 when it is pinned
 * elsewhere, nowhere when its region is not pinned (an environment-agnostic development synth). A
 * staging or production stack must pin its region, so its CloudFront alarms exist.
 */
export const edgeAlarmPlacement = (region: string | undefined, stage: PlatformStage | undefined): 'in-stack' | 'companion' | 'none' => {
  if (region === undefined) {
    if (stage === 'staging' || stage === 'production') {
      throw new SettingError(`region: a ${stage} deployment must pin its region (the CloudFront alarms go into the stack in us-east-1, else into a companion stack there)`);
    }
    return 'none';
  }
  return region === 'us-east-1' ? 'in-stack' : 'companion';
};
