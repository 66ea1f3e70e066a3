/**
 * Request and response schemas of the admin campaign routes: one definition validates requests
 * and contributes the OpenAPI paths (`openApiPaths`).
 */
import * as z from 'zod/mini';
import { CHOICE_OPTION_IDS, CHOICE_OPTIONS, type ChoiceField } from '../../core/choice-options.ts';
import { RUN_STATES } from '../../campaigns/model.ts';
import type { PathsSpec } from './common.ts';
import { problemResponses } from './common.ts';

// zod/mini keeps the campaign Lambdas small (full zod adds ~380 KB); it has no default English
// messages, so every rule a request can break says what it expects.
const pattern = (regex: RegExp, message: string) => z.string('a string').check(z.regex(regex, message));
const described = <T extends z.ZodMiniType>(schema: T, meta: { id?: string; description?: string }): T => {
  z.globalRegistry.add(schema, meta);
  return schema;
};

const noticeIdSchema = pattern(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lowercase letters, digits and -');

export const campaignIdSchema = described(pattern(/^[a-z0-9][a-z0-9-]{0,79}$/, 'a campaign id such as privacy-v2'), {
  description: 'One campaign per notice version: `<noticeId>-v<version>`.',
});

const unknownFields = (issue: { code?: string; keys?: readonly string[] }): string | undefined =>
  issue.code === 'unrecognized_keys' ? `unknown field${issue.keys?.length === 1 ? '' : 's'}: ${issue.keys?.join(', ')}` : 'an object';

export const startCampaignRequestSchema = described(
  z.strictObject(
    {
      noticeId: noticeIdSchema,
      version: z.int('a whole number').check(z.minimum(1, 'at least 1'), z.maximum(999_999, 'at most 999999')),
      dryRun: z._default(z.boolean('true or false'), false),
      deadline: described(z.optional(z.iso.datetime({ offset: true, error: 'an ISO 8601 date-time, e.g. 2027-02-01T00:00:00Z' })), {
        description: 'Default: the version\'s effective date (00:00 UTC).',
      }),
      informational: described(z._default(z.boolean('true or false'), false), {
        description: 'Also email regions with material changes that need no choice.',
      }),
    },
    { error: unknownFields },
  ),
  { id: 'StartCampaignRequest' },
);
export type StartCampaignRequest = z.infer<typeof startCampaignRequestSchema>;

const optionSchema = z.enum(CHOICE_OPTION_IDS);
const regionPlanSchema = z.object({
  region: z.string(),
  notification: z.enum(['choice', 'informational']),
  options: z.array(optionSchema),
});

export const dryRunResponseSchema = described(
  z.object({
    dryRun: z.literal(true),
    noticeId: z.string(),
    version: z.int(),
    notificationNeeded: z.boolean(),
    reason: z.optional(z.string()),
    deadline: z.string(),
    regions: z.array(regionPlanSchema),
    audience: z.object({
      total: z.int(),
      byRegion: z.array(z.object({ region: z.string(), language: z.string(), count: z.int() })),
    }),
    sampleEmail: z.optional(
      z.object({ region: z.string(), language: z.string(), kind: z.string(), subject: z.string(), html: z.string(), text: z.string() }),
    ),
  }),
  { id: 'CampaignDryRun' },
);

export const campaignProgressSchema = described(
  z.object({
    campaignId: z.string(),
    noticeId: z.string(),
    version: z.int(),
    deadline: z.string(),
    status: z.enum(['created', 'planning', 'sending', 'sent', 'paused', 'blocked']),
    run: described(z.object({ status: z.enum(RUN_STATES), at: z.optional(z.string()), reason: z.optional(z.string()) }), {
      description: 'running, or paused (an operator) / blocked (a configuration fault): nothing is sent, reminded or defaulted',
    }),
    createdAt: z.string(),
    regions: z.array(regionPlanSchema),
    audience: z.int(),
    sent: z.int(),
    delivered: z.int(),
    bounced: z.int(),
    bouncedByType: described(z.object({ permanent: z.int(), transient: z.int(), undetermined: z.int() }), { description: 'Bounces by SES bounce type; the subtype is in each NTF evidence item.' }),
    complained: z.int(),
    failed: z.int(),
    reminded: z.int(),
    choices: z.object(Object.fromEntries(CHOICE_OPTIONS.map((option) => [option.field, z.int()])) as Record<ChoiceField, z.ZodMiniInt>),
    defaulted: z.int(),
    pending: z.object({
      sends: described(z.int(), { description: 'Audience not yet sent or failed.' }),
      choices: described(z.int(), { description: 'Sent choice emails with no choice recorded or defaulted yet.' }),
    }),
  }),
  { id: 'CampaignProgress' },
);

export const listCampaignsQuerySchema = z.strictObject(
  {
    limit: z.optional(z.pipe(pattern(/^[1-9][0-9]?$|^100$/, 'a whole number from 1 to 100'), z.transform(Number))),
    cursor: z.optional(pattern(/^[A-Za-z0-9_-]{1,512}$/, 'a cursor this API returned')),
  },
  { error: unknownFields },
);

export const controlCampaignRequestSchema = described(
  z.strictObject({ reason: z.optional(z.string('a string').check(z.minLength(1, 'not empty'), z.maxLength(500, 'at most 500 characters'))) }, { error: unknownFields }),
  { id: 'CampaignControlRequest' },
);

export const retryFailedResponseSchema = described(
  z.object({
    campaignId: z.string(),
    requeued: described(z.int(), { description: 'Recipients this call moved from failed back to the sender (each once: a repeat call moves none of them again).' }),
    stillQueued: described(z.int(), { description: 'Recipients an earlier retry released that no sender has claimed yet: sent again, counted here, not in requeued.' }),
    notRetryable: described(z.record(z.string(), z.int()), { description: 'Failed recipients left failed, per reason (no-contact, INVALID_PARAMETER …), as this call saw them.' }),
    cursor: z.optional(described(z.string(), { description: 'Present when the call stopped on its time or page budget: call again with ?cursor=<it> to continue the walk. Absent: every shard was walked.' })),
  }),
  { id: 'CampaignRetryFailed' },
);

const campaignListSchema = described(z.object({ items: z.array(campaignProgressSchema), cursor: z.optional(z.string()) }), { id: 'CampaignList' });

const json = (schema: z.ZodMiniType) => ({ 'application/json': { schema } });
const security: Record<string, string[]>[] = [{ bearer: [] }, { sigv4: [] }];

/** The campaign routes' OpenAPI 3.1 path items. */
export const openApiPaths: PathsSpec = {
  '/v1/campaigns': {
    post: {
      operationId: 'startCampaign',
      summary: 'Dry-run or start the change-notice campaign of a notice version',
      description: 'Idempotent: one campaign per notice version; a second start answers the same campaign.',
      tags: ['campaigns'],
      security,
      requestBody: { required: true, content: json(startCampaignRequestSchema) },
      responses: {
        '200': { description: 'Dry run, or the campaign already exists', content: json(z.union([dryRunResponseSchema, campaignProgressSchema])) },
        '202': { description: 'Campaign started', content: json(campaignProgressSchema) },
        // 409 also when SES is not ready (type .../not-ready, `checks` names each failed check).
        ...problemResponses(400, 401, 403, 404, 409, 422),
      },
    },
    get: {
      operationId: 'listCampaigns',
      summary: 'The campaigns with their status and counts, paginated',
      tags: ['campaigns'],
      security,
      parameters: [
        { name: 'limit', in: 'query', required: false, description: '1 to 100 (default 20)', schema: z.optional(z.string()) },
        { name: 'cursor', in: 'query', required: false, description: 'The cursor of the previous page', schema: z.optional(z.string()) },
      ],
      responses: {
        '200': { description: 'One page of campaigns', content: json(campaignListSchema) },
        ...problemResponses(400, 401, 403),
      },
    },
  },
  '/v1/campaigns/{campaignId}': {
    get: {
      operationId: 'getCampaign',
      summary: 'Campaign progress: audience, sends, deliveries, choices, pending',
      tags: ['campaigns'],
      security,
      parameters: [{ name: 'campaignId', in: 'path', required: true, description: 'The campaign id', schema: campaignIdSchema }],
      responses: {
        '200': { description: 'Progress', content: json(campaignProgressSchema) },
        ...problemResponses(400, 401, 403, 404),
      },
    },
  },
  '/v1/campaigns/{campaignId}/pause': {
    post: {
      operationId: 'pauseCampaign',
      summary: 'Pause a campaign: nothing is sent, reminded or defaulted until it resumes',
      tags: ['campaigns'],
      security,
      parameters: [{ name: 'campaignId', in: 'path', required: true, description: 'The campaign id', schema: campaignIdSchema }],
      requestBody: { required: false, content: json(controlCampaignRequestSchema) },
      responses: {
        '200': { description: 'The campaign, paused (or already so)', content: json(campaignProgressSchema) },
        ...problemResponses(400, 401, 403, 404, 409),
      },
    },
  },
  '/v1/campaigns/{campaignId}/resume': {
    post: {
      operationId: 'resumeCampaign',
      summary: 'Resume a paused campaign: its parked sends go out again',
      tags: ['campaigns'],
      security,
      parameters: [{ name: 'campaignId', in: 'path', required: true, description: 'The campaign id', schema: campaignIdSchema }],
      requestBody: { required: false, content: json(controlCampaignRequestSchema) },
      responses: {
        '200': { description: 'The campaign, resumed (or already so)', content: json(campaignProgressSchema) },
        ...problemResponses(400, 401, 403, 404, 409),
      },
    },
  },
  '/v1/campaigns/{campaignId}/retry-failed': {
    post: {
      operationId: 'retryFailedRecipients',
      summary: 'Re-queue the recipients that failed for a retryable reason, exactly once each',
      description: 'Retryable: configuration faults recorded as failures and SES refusals that do not say the address is bad. No body.',
      tags: ['campaigns'],
      security,
      parameters: [
        { name: 'campaignId', in: 'path', required: true, description: 'The campaign id', schema: campaignIdSchema },
        { name: 'cursor', in: 'query', required: false, description: 'The previous answer\'s cursor: continue the walk where it stopped', schema: z.string() },
      ],
      responses: {
        '200': { description: 'What this call re-queued; with a cursor when the walk is not finished', content: json(retryFailedResponseSchema) },
        ...problemResponses(400, 401, 403, 404),
      },
    },
  },
};
