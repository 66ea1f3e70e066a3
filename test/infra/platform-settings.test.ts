/** Deploy settings as strings → platform props, as `bin/app.ts` passes them. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolvePlatformProps } from '../../lib/disclosure-platform-props.ts';
import {

  SettingError,
  environmentNameOf,
  platformPropsFromSettings,
  stageSettingsOf,
  type SettingName,
} from '../../lib/platform-settings.ts';
import { PLACEHOLDER_SENDER } from '../../lib/disclosure-platform-props.ts';

const content = { catalogue: { regions: [], countries: {}, subdivisions: {} }, languages: ['en'], defaultLanguage: 'en' };
const from = (settings: Partial<Record<SettingName, string>>) => (name: SettingName): string | undefined => settings[name];

describe('Function: platformPropsFromSettings', () => {
  it('synthesises with a placeholder sender and never creates its identity', () => {
    const { props, placeholderSender } = platformPropsFromSettings(from({}), content);
    expect(placeholderSender).toBe(true);
    expect(props.senderAddress).toBe(PLACEHOLDER_SENDER);
    expect(props.createSenderIdentity).toBe(false);
    expect(props.jwt).toBeUndefined();
  });

  it('reads every typed setting', () => {
    const { props, placeholderSender } = platformPropsFromSettings(from({
      senderAddress: 'privacy@notices.example.org',
      jwtIssuer: 'https://login.example.org/',
      jwtAudience: 'disclosure, mobile',
      sendQuotaPerSecond: '200',
      reminderDays: '3',
      minAnswerDays: '21',
      choiceChangeLimit: '5',
      informationalEmails: 'true',
      tracing: 'false',
      queueAgeAlarmMinutes: '45',
      webAclRateLimit: '2000',
      autoPauseBounceRatio: '0.02',
      autoPauseComplaintRatio: '0.0004',
      autoPauseMinSent: '500',
      originVerifySecretVersion: 'a1b2c3d4-0000-4000-8000-0123456789ab',
    }), content);
    expect(placeholderSender).toBe(false);
    expect(props).toMatchObject({
      senderAddress: 'privacy@notices.example.org',
      createSenderIdentity: true,
      jwt: { issuer: 'https://login.example.org/', audience: ['disclosure', 'mobile'] },
      sendQuotaPerSecond: 200,
      reminderDays: 3,
      webAcl: { rateLimitPer5Minutes: 2000 },
      minAnswerDays: 21,
      choiceChangeLimit: 5,
      informationalEmails: true,
      tracing: false,
      autoPause: { bounceRatio: 0.02, complaintRatio: 0.0004, minSent: 500 },
      originVerifySecretVersion: 'a1b2c3d4-0000-4000-8000-0123456789ab',
    });
    expect(props.queueAgeAlarmThreshold?.toMinutes()).toBe(45);
    // One auto-pause setting alone keeps the other defaults.
    expect(platformPropsFromSettings(from({ autoPauseMinSent: '50' }), content).props.autoPause).toEqual({ minSent: 50 });
    expect(resolvePlatformProps({ ...platformPropsFromSettings(from({ autoPauseMinSent: '50' }), content).props }).autoPause)
      .toEqual({ bounceRatio: 0.025, complaintRatio: 0.0005, minSent: 50 });
  });

  it('refuses a number or a boolean it cannot read', () => {
    expect(() => platformPropsFromSettings(from({ sendQuotaPerSecond: '14/s' }), content)).toThrow(SettingError);
    expect(() => platformPropsFromSettings(from({ tracing: 'yes' }), content)).toThrow(SettingError);
  });

  it('names the environment variable after the setting', () => {
    expect(environmentNameOf('senderAddress')).toBe('DISCLOSURE_SENDER_ADDRESS');
    expect(environmentNameOf('queueAgeAlarmMinutes')).toBe('DISCLOSURE_QUEUE_AGE_ALARM_MINUTES');
    expect(environmentNameOf('autoPauseBounceRatio')).toBe('DISCLOSURE_AUTO_PAUSE_BOUNCE_RATIO');
  });
});

describe('Function: stageSettingsOf (the stages in cdk.json)', () => {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: { stages: unknown } };

  it('gives staging and production complete settings that a deploy accepts', () => {
    for (const stage of ['staging', 'production']) {
      const settings = stageSettingsOf(cdkJson.context.stages, stage);
      const { props, placeholderSender } = platformPropsFromSettings(from({ ...settings, stage }), content);
      expect(placeholderSender, stage).toBe(false);
      expect(() => resolvePlatformProps(props), stage).not.toThrow();
      expect(props.stage).toBe(stage);
    }
  });

  it('refuses an unknown stage, an unknown setting and a nested value', () => {
    expect(() => stageSettingsOf({}, 'prod')).toThrow(SettingError);
    expect(() => stageSettingsOf({ staging: { senderAdress: 'x' } }, 'staging')).toThrow(/senderAdress: not a setting/);
    expect(() => stageSettingsOf({ staging: { reminderDays: { days: 3 } } }, 'staging')).toThrow(SettingError);
    expect(stageSettingsOf({ staging: { reminderDays: 3, tracing: true } }, 'staging')).toEqual({ reminderDays: '3', tracing: 'true' });
  });
});
