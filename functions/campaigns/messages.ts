/**
 * The messages the campaign queues carry, validated at the consumer (a poison message is
 * reported, never half-processed). The SES tags they lead to are in `ses-tags.ts`.
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


/** One sender work item: up to 50 accounts of one campaign, region and (usually) language. */
export const sendMessageSchema = z.object({
  campaignId,
  kind: z.enum(['notice', 'reminder']),
  region: z.string().check(z.minLength(1), z.maxLength(64)),
  language: z.optional(z.string().check(z.minLength(1), z.maxLength(16))),
  accountIds: z.array(z.string().check(z.minLength(1), z.maxLength(256))).check(z.minLength(1), z.maxLength(MAX_RECIPIENTS_PER_SEND)),
  /** Sent by the late-enrolment step (its accounts are counted there), not by the planner (counted in its checkpoints). */
  late: z.optional(z.literal(true)),
});
export type SendMessage = z.infer<typeof sendMessageSchema>;
