/**
 * The SES v2 adapter: one `SendBulkEmail` call per ≤ 50 destinations, inline template content,
 * per-destination replacement data and tags, each entry's status classified for the sender.
 */
import { type BulkEmailEntryResult, SESv2Client, SendBulkEmailCommand } from '@aws-sdk/client-sesv2';
import { CampaignConfigurationError, RetryableSendError, SendingBlockedError } from './errors.ts';
import { MAX_RECIPIENTS_PER_SEND } from './messages.ts';
import { configurationFaultOf } from './ses-faults.ts';
import type { BulkMailer, BulkSendRequest, EntryOutcome } from './ports.ts';


/** Per-entry statuses worth retrying: SES did not send, and may later. */
const RETRY_STATUSES = new Set(['ACCOUNT_THROTTLED', 'TRANSIENT_FAILURE', 'ACCOUNT_DAILY_QUOTA_EXCEEDED']);

/** Call-level errors worth retrying besides 429 and 5xx. */
const RETRY_ERRORS = new Set(['TooManyRequestsException', 'LimitExceededException', 'ThrottlingException']);

/** Map one SES entry result to the sender's outcome. */
export const classifyEntry = (result: BulkEmailEntryResult | undefined): EntryOutcome => {
  const status = result?.Status ?? 'TRANSIENT_FAILURE';
  if (status === 'SUCCESS' && result?.MessageId) return { outcome: 'sent', messageId: result.MessageId };
  if (status === 'SUCCESS' || RETRY_STATUSES.has(status)) return { outcome: 'retry', status };
  const blocked = configurationFaultOf(status);
  if (blocked) return { outcome: 'blocked', status, reason: blocked };
  // MESSAGE_REJECTED, MAIL_FROM_DOMAIN_NOT_VERIFIED, INVALID_PARAMETER, FAILED: the same call would fail again.
  return { outcome: 'rejected', status };
};

/** Whether a thrown SDK error means "try the whole call again later". */
export const isRetryableCallError = (error: unknown): boolean => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown } | null;
  const status = e?.$metadata?.httpStatusCode;
  if (e?.name && RETRY_ERRORS.has(e.name)) return true;
  if (status === 429 || (typeof status === 'number' && status >= 500)) return true;
  // No HTTP answer at all (connection reset, timeout): SES did not answer, so retry.
  return status === undefined && !(error instanceof CampaignConfigurationError);
};

const toTags = (tags: Record<string, string>) => Object.entries(tags).map(([Name, Value]) => ({ Name, Value }));

export interface SesBulkMailerOptions {
  readonly client: SESv2Client;
  readonly fromAddress: string;
  readonly configurationSet: string;
}

/** `BulkMailer` over SES v2. */
export class SesBulkMailer implements BulkMailer {
  readonly #options: SesBulkMailerOptions;

  constructor(options: SesBulkMailerOptions) {
    if (!options.fromAddress) throw new CampaignConfigurationError('SesBulkMailer needs a sender address');
    if (!options.configurationSet) throw new CampaignConfigurationError('SesBulkMailer needs a configuration set');
    this.#options = options;
  }

  async sendBulk(request: BulkSendRequest): Promise<EntryOutcome[]> {
    if (request.destinations.length === 0) return [];
    if (request.destinations.length > MAX_RECIPIENTS_PER_SEND) {
      throw new CampaignConfigurationError(`SendBulkEmail takes at most ${MAX_RECIPIENTS_PER_SEND} destinations`);
    }
    let results: BulkEmailEntryResult[];
    try {
      const response = await this.#options.client.send(
        new SendBulkEmailCommand({
          FromEmailAddress: this.#options.fromAddress,
          ConfigurationSetName: this.#options.configurationSet,
          DefaultEmailTags: toTags(request.defaultTags),
          DefaultContent: {
            Template: {
              TemplateContent: { Subject: request.template.subject, Html: request.template.html, Text: request.template.text },
              TemplateData: '{}',
            },
          },
          BulkEmailEntries: request.destinations.map((destination) => ({
            Destination: { ToAddresses: [destination.to] },
            ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: JSON.stringify(destination.replacementData) } },
            ReplacementTags: toTags(destination.tags),
          })),
        }),
      );
      results = response.BulkEmailEntryResults ?? [];
    } catch (error) {
      const blocked = configurationFaultOf((error as { name?: string } | null)?.name);
      if (blocked) throw new SendingBlockedError(blocked, { cause: error });
      if (isRetryableCallError(error)) {
        throw new RetryableSendError(`SendBulkEmail failed: ${(error as Error)?.name ?? 'unknown'}`, { cause: error });
      }
      // Any other 4xx on the whole call (a bad request): every entry is refused.
      const status = (error as { name?: string })?.name ?? 'BadRequestException';
      return request.destinations.map(() => ({ outcome: 'rejected', status }));
    }
    // SES answers entries in request order.
    return request.destinations.map((_, index) => classifyEntry(results[index]));
  }
}
