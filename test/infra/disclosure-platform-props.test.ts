/** Props are checked at the top of the constructor, before anything is bundled. */
import { App, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import {
  DisclosurePlatform,
  PlatformPropsError,
  platformContentOf,
  resolvePlatformProps,
  type DisclosurePlatformProps,
} from '../../lib/disclosure-platform.ts';

const content: DisclosurePlatformProps['content'] = {
  catalogue: { regions: [{ id: 'eea', name: { en: 'EEA' } }], countries: { DE: 'eea' }, subdivisions: { 'NO-21': 'global' } },
  languages: ['en', 'ja'],
  defaultLanguage: 'en',
};
const valid: DisclosurePlatformProps = { content, senderAddress: 'privacy@mail.example.org' };

describe('Function: resolvePlatformProps: campaign auto-pause thresholds', () => {
  it('defaults to 2.5 % bounces and 0.05 % complaints after 200 sends, and takes any below SES\'s review rates', () => {
    expect(resolvePlatformProps(valid).autoPause).toEqual({ bounceRatio: 0.025, complaintRatio: 0.0005, minSent: 200 });
    expect(resolvePlatformProps({ ...valid, autoPause: { bounceRatio: 0.049, complaintRatio: 0.0009, minSent: 1 } }).autoPause)
      .toEqual({ bounceRatio: 0.049, complaintRatio: 0.0009, minSent: 1 });
  });

  it('refuses thresholds at or above SES\'s 5 % / 0.1 %, zero or negative ones, and a fractional minimum', () => {
    expect(() => resolvePlatformProps({ ...valid, autoPause: { bounceRatio: 0.05 } })).toThrow(/autoPause.bounceRatio.*below SES's review rate 0.05/);
    expect(() => resolvePlatformProps({ ...valid, autoPause: { bounceRatio: 2.5 } })).toThrow(/autoPause.bounceRatio/);
    expect(() => resolvePlatformProps({ ...valid, autoPause: { complaintRatio: 0.001 } })).toThrow(/autoPause.complaintRatio.*0.001/);
    expect(() => resolvePlatformProps({ ...valid, autoPause: { complaintRatio: 0 } })).toThrow(/autoPause.complaintRatio/);
    expect(() => resolvePlatformProps({ ...valid, autoPause: { minSent: 0 } })).toThrow(/autoPause.minSent/);
    expect(() => resolvePlatformProps({ ...valid, autoPause: { minSent: 2.5 } })).toThrow(/autoPause.minSent/);
  });
});

describe('Function: resolvePlatformProps by stage', () => {
  const production: DisclosurePlatformProps = { ...valid, stage: 'production', alarmEmail: 'oncall@example.org', publicBaseUrl: 'https://notices.example.org' };

  it('accepts a complete production deployment', () => {
    expect(resolvePlatformProps(production)).toMatchObject({ stage: 'production', alarmEmail: 'oncall@example.org' });
    expect(resolvePlatformProps({ ...production, alarmEmail: undefined, alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:pager' }).alarmTopicArn).toContain(':pager');
  });

  it('refuses the placeholder sender in production', () => {
    expect(() => resolvePlatformProps({ ...production, senderAddress: 'privacy@example.com' })).toThrow(/senderAddress.*placeholder/);
  });

  it('refuses a production or staging deployment without an alarm destination, not a development synth', () => {
    expect(() => resolvePlatformProps({ ...production, alarmEmail: undefined })).toThrow(/alarm destination/);
    expect(() => resolvePlatformProps({ ...valid, stage: 'staging' })).toThrow(/alarm destination/);
    expect(resolvePlatformProps(valid).stage).toBe('development');
  });

  it('refuses production without a custom domain, and an alarm topic that is no SNS ARN', () => {
    expect(() => resolvePlatformProps({ ...production, publicBaseUrl: undefined })).toThrow(/publicBaseUrl.*custom domain/);
    expect(() => resolvePlatformProps({ ...production, alarmTopicArn: 'pager' })).toThrow(/alarmTopicArn/);
    expect(() => resolvePlatformProps({ ...valid, stage: 'prod' as never })).toThrow(/stage/);
  });

  it('refuses at synth: a production DisclosurePlatform with the placeholder sender builds nothing', () => {
    const stack = new Stack(new App(), 'Refused');
    expect(() => new DisclosurePlatform(stack, 'Platform', { ...production, senderAddress: 'privacy@example.com' })).toThrow(PlatformPropsError);
    expect(() => new DisclosurePlatform(stack, 'Platform2', { ...production, alarmEmail: undefined })).toThrow(PlatformPropsError);
    expect(stack.node.findAll().filter((construct) => construct instanceof CfnResource)).toEqual([]);
  });
});

describe('Function: resolvePlatformProps', () => {
  it('fills in every documented default', () => {
    // act
    const resolved = resolvePlatformProps(valid);
    // assess
    expect(resolved).toMatchObject({
      senderIdentity: 'mail.example.org',
      createSenderIdentity: true,
      sendQuotaPerSecond: 14,
      reminderDays: 7,
      minAnswerDays: 14,
      choiceChangeLimit: 10,
      informationalEmails: false,
      logRetention: RetentionDays.THREE_MONTHS,
      tracing: false,
      apiThrottle: { rateLimit: 200, burstLimit: 400 },
    });
    expect(resolved.queueAgeAlarmThreshold.toMinutes()).toBe(30);
    expect(resolved.jwt).toBeUndefined();
  });

  it('keeps what was given', () => {
    const resolved = resolvePlatformProps({
      ...valid,
      senderIdentity: 'privacy@mail.example.org',
      sendQuotaPerSecond: 500,
      reminderDays: 0,
      jwt: { issuer: 'https://login.example.org', audience: ['disclosure'] },
      queueAgeAlarmThreshold: Duration.minutes(5),
    });
    expect(resolved).toMatchObject({ senderIdentity: 'privacy@mail.example.org', sendQuotaPerSecond: 500, reminderDays: 0 });
    expect(resolved.jwt?.issuer).toBe('https://login.example.org');
  });

  it.each<[string, Partial<DisclosurePlatformProps>, string]>([
    ['a sender that is not an address', { senderAddress: 'privacy' }, 'senderAddress'],
    ['a sender outside the identity domain', { senderIdentity: 'other.example.org' }, 'senderIdentity'],
    ['an address identity that is not the sender', { senderIdentity: 'someone@mail.example.org' }, 'senderIdentity'],
    ['a malformed identity domain', { senderIdentity: 'not a domain' }, 'senderIdentity'],
    ['a zero send quota', { sendQuotaPerSecond: 0 }, 'sendQuotaPerSecond'],
    ['a send quota per day instead of per second', { sendQuotaPerSecond: 50_000 }, 'sendQuotaPerSecond'],
    ['a fractional reminder', { reminderDays: 1.5 }, 'reminderDays'],
    ['a negative reminder', { reminderDays: -1 }, 'reminderDays'],
    ['no answer window for late acceptors', { minAnswerDays: 0 }, 'minAnswerDays'],
    ['no choice at all', { choiceChangeLimit: 0 }, 'choiceChangeLimit'],
    ['a fractional change limit', { choiceChangeLimit: 2.5 }, 'choiceChangeLimit'],
    ['an http issuer', { jwt: { issuer: 'http://login.example.org', audience: ['disclosure'] } }, 'jwt.issuer'],
    ['no audience', { jwt: { issuer: 'https://login.example.org', audience: [] } }, 'jwt.audience'],
    ['a malformed alarm address', { alarmEmail: 'oncall' }, 'alarmEmail'],
    ['a base URL with a trailing slash', { publicBaseUrl: 'https://notices.example.org/' }, 'publicBaseUrl'],
    ['a regional web ACL', { webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/y' }, 'webAclArn'],
    ['a rate limit below WAF\'s minimum', { webAcl: { rateLimitPer5Minutes: 5 } }, 'webAcl.rateLimitPer5Minutes'],
    ['both a web ACL to create and one to attach', { webAcl: { rateLimitPer5Minutes: 100 }, webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/y' }, 'webAcl'],
    ['a custom domain with a regional certificate', { customDomain: { domainName: 'notices.example.org', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc-123' } }, 'customDomain.certificateArn'],
    ['a zero burst', { apiThrottle: { rateLimit: 10, burstLimit: 0 } }, 'apiThrottle.burstLimit'],
    ['no languages', { content: { ...content, languages: [] } }, 'content.languages'],
    ['a default language not in the content', { content: { ...content, defaultLanguage: 'fr' } }, 'content.defaultLanguage'],
    ['a catalogue entry to an unknown region', { content: { ...content, catalogue: { ...content.catalogue, countries: { JP: 'jp' } } } }, 'content.catalogue'],
  ])('refuses %s', (_case, override, prop) => {
    // act
    const attempt = (): unknown => resolvePlatformProps({ ...valid, ...override });
    // assess
    expect(attempt).toThrow(PlatformPropsError);
    expect(attempt).toThrow(new RegExp(`^DisclosurePlatform: ${prop.replace('.', '\\.')}:`));
  });

  it('fails the construct before creating any resource', () => {
    const stack = new Stack(new App(), 'Invalid');
    expect(() => new DisclosurePlatform(stack, 'Platform', { ...valid, sendQuotaPerSecond: -5 })).toThrow(PlatformPropsError);
    expect(stack.node.findAll().filter((construct) => construct instanceof CfnResource)).toHaveLength(0);
  });
});

describe('Function: platformContentOf', () => {
  it('takes the catalogue, every language of every version, and the default language', () => {
    const compiled = {
      schemaVersion: 1,
      sourceHash: 'x',
      openapi: '{}',
      catalogue: content.catalogue,
      notices: [
        { noticeId: 'privacy', defaultLanguage: 'ja', title: {}, regions: ['global'], versions: [{ languages: ['ja'] }, { languages: ['ja', 'en'] }] },
        { noticeId: 'terms', defaultLanguage: 'en', title: {}, regions: ['global'], versions: [{ languages: ['en', 'ko'] }] },
      ],
    };
    expect(platformContentOf(compiled)).toEqual({ catalogue: content.catalogue, languages: ['en', 'ja', 'ko'], defaultLanguage: 'ja' });
  });
});
