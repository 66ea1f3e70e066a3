/**
 * The messages the campaign queues carry, validated at the consumer (a poison message is
 * reported, never half-processed), and the SES tag encoding shared with the SES-events handler.
 */
// zod/mini: the planner and sender bundles stay small (full zod adds ~380 KB).
import * as z from 'zod/mini';
import { AUDIENCE_SHARDS } from '../ledger/types.ts';

/** At most this many recipients per send message and per `SendBulkEmail` call (the SES limit). */
export const MAX_RECIPIENTS_PER_SEND = 50;

const campaignId = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,128}$/, 'a campaign id'));

/** One planner work item: page the audience of one region and shard. */
export const plannerMessageSchema = z.object({
  campaignId,
  region: z.string().check(z.minLength(1), z.maxLength(64)),
  shard: z.int().check(z.minimum(0), z.maximum(AUDIENCE_SHARDS - 1)),
});
export type PlannerMessage = z.infer<typeof plannerMessageSchema>;

export type { SendKind } from './model.ts';

/** One sender work item: up to 50 accounts of one campaign, region and (usually) language. */
export const sendMessageSchema = z.object({
  campaignId,
  kind: z.enum(['notice', 'reminder']),
  region: z.string().check(z.minLength(1), z.maxLength(64)),
  language: z.optional(z.string().check(z.minLength(1), z.maxLength(16))),
  accountIds: z.array(z.string().check(z.minLength(1), z.maxLength(256))).check(z.minLength(1), z.maxLength(MAX_RECIPIENTS_PER_SEND)),
});
export type SendMessage = z.infer<typeof sendMessageSchema>;

/** SES message tag names the sender sets and the SES-events handler reads back. */
export const SES_TAGS = { campaign: 'campaign', account: 'account', kind: 'kind' } as const;

const TAG_SAFE = /^[A-Za-z0-9_-]{1,200}$/;
const ENCODED_PREFIX = 'b64-';

/** SES tag values allow only `[A-Za-z0-9_-]`: other account ids travel base64url-encoded behind a prefix. */
export const encodeTagValue = (value: string): string =>
  TAG_SAFE.test(value) && !value.startsWith(ENCODED_PREFIX) ? value : ENCODED_PREFIX + Buffer.from(value, 'utf8').toString('base64url');

/** Inverse of `encodeTagValue`. */
export const decodeTagValue = (value: string): string =>
  value.startsWith(ENCODED_PREFIX) ? Buffer.from(value.slice(ENCODED_PREFIX.length), 'base64url').toString('utf8') : value;
