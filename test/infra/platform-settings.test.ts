/** Deploy settings as strings → platform props, as `bin/app.ts` passes them. */
import { describe, expect, it } from 'vitest';
import {
  PLACEHOLDER_SENDER,
  SettingError,
  environmentNameOf,
  platformPropsFromSettings,
  type SettingName,
} from '../../lib/platform-settings.ts';

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
      informationalEmails: 'true',
      tracing: 'false',
      queueAgeAlarmMinutes: '45',
    }), content);
    expect(placeholderSender).toBe(false);
    expect(props).toMatchObject({
      senderAddress: 'privacy@notices.example.org',
      createSenderIdentity: true,
      jwt: { issuer: 'https://login.example.org/', audience: ['disclosure', 'mobile'] },
      sendQuotaPerSecond: 200,
      reminderDays: 3,
      informationalEmails: true,
      tracing: false,
    });
    expect(props.queueAgeAlarmThreshold?.toMinutes()).toBe(45);
  });

  it('refuses a number or a boolean it cannot read', () => {
    expect(() => platformPropsFromSettings(from({ sendQuotaPerSecond: '14/s' }), content)).toThrow(SettingError);
    expect(() => platformPropsFromSettings(from({ tracing: 'yes' }), content)).toThrow(SettingError);
  });

  it('names the environment variable after the setting', () => {
    expect(environmentNameOf('senderAddress')).toBe('DISCLOSURE_SENDER_ADDRESS');
    expect(environmentNameOf('queueAgeAlarmMinutes')).toBe('DISCLOSURE_QUEUE_AGE_ALARM_MINUTES');
  });
});
