/**
 * Deploy-time settings (strings from `-c name=value` or `DISCLOSURE_<NAME>`) → platform props.
 * Pure: `bin/app.ts` reads context and the environment and hands the lookup in.
 */
import { Duration } from 'aws-cdk-lib';
import type { DisclosurePlatformProps, PlatformContent } from './disclosure-platform-props.ts';

/** Lets `cdk synth` run on a fresh clone; a deploy must name a real, verified sender. */
export const PLACEHOLDER_SENDER = 'privacy@example.com';

/** Every setting `bin/app.ts` understands (see docs/runbook.md, "Deploy"). */
export const SETTING_NAMES = [
  'senderAddress', 'senderIdentity', 'createSenderIdentity', 'jwtIssuer', 'jwtAudience', 'alarmEmail',
  'sendQuotaPerSecond', 'reminderDays', 'informationalEmails', 'publicBaseUrl', 'webAclArn', 'tracing',
  'queueAgeAlarmMinutes', 'stackName', 'account', 'region',
] as const;
export type SettingName = (typeof SETTING_NAMES)[number];

/** `senderAddress` → `DISCLOSURE_SENDER_ADDRESS`. */
export const environmentNameOf = (name: SettingName): string => `DISCLOSURE_${name.replace(/([A-Z])/g, '_$1').toUpperCase()}`;

/** Raised when a setting cannot be read as the type it needs. */
export class SettingError extends Error {
  override readonly name = 'SettingError';
}

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
      jwt: jwtIssuer
        ? { issuer: jwtIssuer, audience: (setting('jwtAudience') ?? 'disclosure').split(',').map((audience) => audience.trim()).filter(Boolean) }
        : undefined,
      informationalEmails: boolean('informationalEmails'),
      alarmEmail: setting('alarmEmail'),
      publicBaseUrl: setting('publicBaseUrl'),
      tracing: boolean('tracing'),
      webAclArn: setting('webAclArn'),
      queueAgeAlarmThreshold: queueAgeMinutes === undefined ? undefined : Duration.minutes(queueAgeMinutes),
    },
  };
};
