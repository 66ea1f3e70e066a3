import { SESv2Client, SendBulkEmailCommand, TooManyRequestsException, MessageRejected, InternalServiceErrorException } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CampaignConfigurationError, RetryableSendError, SendingBlockedError } from '../../../functions/campaigns/errors.ts';
import { SesBulkMailer, classifyEntry, isRetryableCallError } from '../../../functions/campaigns/ses-mailer.ts';

const ses = mockClient(SESv2Client);
const mailer = new SesBulkMailer({ client: new SESv2Client({ region: 'eu-west-1' }), fromAddress: 'noreply@example.test', configurationSet: 'disclosure' });
const destination = (i: number) => ({ to: `a${i}@example.test`, replacementData: { choiceUrl: `https://x/${i}` }, tags: { account: `a${i}` } });
const request = (n: number) => ({
  template: { subject: 'S', html: '<p>{{choiceUrl}}</p>', text: '{{choiceUrl}}' },
  destinations: Array.from({ length: n }, (_, i) => destination(i)),
  defaultTags: { campaign: 'privacy-v2', kind: 'notice' },
});

describe('Class: SesBulkMailer', () => {
  beforeEach(() => ses.reset());

  describe('Method: sendBulk', () => {
    it('sends one call with inline content, per-destination data and tags, and maps each entry', async () => {
      ses.on(SendBulkEmailCommand).resolves({
        BulkEmailEntryResults: [{ Status: 'SUCCESS', MessageId: 'm0' }, { Status: 'ACCOUNT_THROTTLED' }, { Status: 'MESSAGE_REJECTED' }],
      });

      const outcomes = await mailer.sendBulk(request(3));

      expect(outcomes).toEqual([
        { outcome: 'sent', messageId: 'm0' },
        { outcome: 'retry', status: 'ACCOUNT_THROTTLED' },
        { outcome: 'rejected', status: 'MESSAGE_REJECTED' },
      ]);
      const input = ses.commandCalls(SendBulkEmailCommand)[0]!.args[0].input;
      expect(input.ConfigurationSetName).toBe('disclosure');
      expect(input.DefaultContent?.Template?.TemplateContent?.Html).toBe('<p>{{choiceUrl}}</p>');
      expect(input.DefaultEmailTags).toEqual([{ Name: 'campaign', Value: 'privacy-v2' }, { Name: 'kind', Value: 'notice' }]);
      expect(input.BulkEmailEntries?.[1]).toEqual({
        Destination: { ToAddresses: ['a1@example.test'] },
        ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: '{"choiceUrl":"https://x/1"}' } },
        ReplacementTags: [{ Name: 'account', Value: 'a1' }],
      });
    });

    it('refuses more than 50 destinations in one call', async () => {
      await expect(mailer.sendBulk(request(51))).rejects.toBeInstanceOf(CampaignConfigurationError);
      expect(ses.commandCalls(SendBulkEmailCommand)).toHaveLength(0);
    });

    it('turns 429 throttling into a retryable error', async () => {
      ses.on(SendBulkEmailCommand).rejects(new TooManyRequestsException({ message: 'slow down', $metadata: { httpStatusCode: 429 } }));
      await expect(mailer.sendBulk(request(2))).rejects.toBeInstanceOf(RetryableSendError);
    });

    it('turns a 5xx into a retryable error', async () => {
      ses.on(SendBulkEmailCommand).rejects(new InternalServiceErrorException({ message: 'oops', $metadata: { httpStatusCode: 500 } }));
      await expect(mailer.sendBulk(request(2))).rejects.toBeInstanceOf(RetryableSendError);
    });

    it('records a bad request as rejected for every destination, not retried', async () => {
      ses.on(SendBulkEmailCommand).rejects(Object.assign(new Error('bad'), { name: 'BadRequestException', $metadata: { httpStatusCode: 400 } }));
      expect(await mailer.sendBulk(request(2))).toEqual([
        { outcome: 'rejected', status: 'BadRequestException' },
        { outcome: 'rejected', status: 'BadRequestException' },
      ]);
    });

    it.each(['AccessDeniedException', 'MailFromDomainNotVerifiedException', 'AccountSuspendedException', 'SendingPausedException'])(
      'turns %s on the call into a blocked campaign, never a rejected recipient',
      async (name) => {
        ses.on(SendBulkEmailCommand).rejects(Object.assign(new Error('refused for to@example.test'), { name, $metadata: { httpStatusCode: name === 'AccessDeniedException' ? 403 : 400 } }));
        const error = await mailer.sendBulk(request(2)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SendingBlockedError);
        expect((error as SendingBlockedError).reason).toMatch(new RegExp(`^${name}: `));
        // SES's own message may name an address: the reason is ours.
        expect((error as SendingBlockedError).reason).not.toContain('@');
      },
    );

    it('blocks on MessageRejected for the whole call (unverified identity, sandbox)', async () => {
      ses.on(SendBulkEmailCommand).rejects(new MessageRejected({ message: 'Email address is not verified.', $metadata: { httpStatusCode: 400 } }));
      await expect(mailer.sendBulk(request(2))).rejects.toBeInstanceOf(SendingBlockedError);
    });

    it('treats a missing entry result as transient (SES did not say it sent)', async () => {
      ses.on(SendBulkEmailCommand).resolves({ BulkEmailEntryResults: [{ Status: 'SUCCESS', MessageId: 'm0' }] });
      expect((await mailer.sendBulk(request(2)))[1]).toEqual({ outcome: 'retry', status: 'TRANSIENT_FAILURE' });
    });
  });
});

describe('Function: classifyEntry', () => {
  it.each(['ACCOUNT_THROTTLED', 'TRANSIENT_FAILURE', 'ACCOUNT_DAILY_QUOTA_EXCEEDED'])('retries %s', (status) => {
    expect(classifyEntry({ Status: status as never })).toEqual({ outcome: 'retry', status });
  });
  it.each(['ACCOUNT_SENDING_PAUSED', 'CONFIGURATION_SET_SENDING_PAUSED', 'MAIL_FROM_DOMAIN_NOT_VERIFIED', 'ACCOUNT_SUSPENDED', 'CONFIGURATION_SET_NOT_FOUND'])('blocks the campaign on %s', (status) => {
    expect(classifyEntry({ Status: status as never })).toMatchObject({ outcome: 'blocked', status });
  });
  it.each(['MESSAGE_REJECTED', 'INVALID_PARAMETER', 'FAILED'])('never retries %s', (status) => {
    expect(classifyEntry({ Status: status as never })).toEqual({ outcome: 'rejected', status });
  });
});

describe('Function: isRetryableCallError', () => {
  it('retries throttling, 5xx and no answer; not a 400', () => {
    expect(isRetryableCallError({ name: 'LimitExceededException', $metadata: { httpStatusCode: 400 } })).toBe(true);
    expect(isRetryableCallError({ name: 'X', $metadata: { httpStatusCode: 503 } })).toBe(true);
    expect(isRetryableCallError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryableCallError({ name: 'BadRequestException', $metadata: { httpStatusCode: 400 } })).toBe(false);
  });
});
