/**
 * Request and response schemas of the admin campaign routes: one definition validates requests
 * and contributes the OpenAPI paths (`openApiPaths`).
 */
import { z } from 'zod';
import type { PathsSpec } from './common.ts';
import { problemResponses } from './common.ts';

const noticeIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lowercase letters, digits and -');

export const campaignIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'a campaign id such as privacy-v2')
  .meta({ description: 'One campaign per notice version: `<noticeId>-v<version>`.' });

export const startCampaignRequestSchema = z
  .strictObject({
    noticeId: noticeIdSchema,
    version: z.int().min(1).max(999_999),
    dryRun: z.boolean().default(false),
    deadline: z.iso.datetime({ offset: true }).optional().meta({ description: 'Default: the version\'s effective date (00:00 UTC).' }),
    informational: z.boolean().default(false).meta({ description: 'Also email regions with material changes that need no choice.' }),
  })
  .meta({ id: 'StartCampaignRequest' });
export type StartCampaignRequest = z.infer<typeof startCampaignRequestSchema>;

const optionSchema = z.enum(['accept', 'keep-previous', 'delete']);
const regionPlanSchema = z.object({
  region: z.string(),
  notification: z.enum(['choice', 'informational']),
  options: z.array(optionSchema),
});

export const dryRunResponseSchema = z
  .object({
    dryRun: z.literal(true),
    noticeId: z.string(),
    version: z.int(),
    notificationNeeded: z.boolean(),
    reason: z.string().optional(),
    deadline: z.string(),
    regions: z.array(regionPlanSchema),
    audience: z.object({
      total: z.int(),
      byRegion: z.array(z.object({ region: z.string(), language: z.string(), count: z.int() })),
    }),
    sampleEmail: z
      .object({ region: z.string(), language: z.string(), kind: z.string(), subject: z.string(), html: z.string(), text: z.string() })
      .optional(),
  })
  .meta({ id: 'CampaignDryRun' });

export const campaignProgressSchema = z
  .object({
    campaignId: z.string(),
    noticeId: z.string(),
    version: z.int(),
    deadline: z.string(),
    status: z.enum(['created', 'planning', 'sending', 'sent']),
    createdAt: z.string(),
    regions: z.array(regionPlanSchema),
    audience: z.int(),
    sent: z.int(),
    delivered: z.int(),
    bounced: z.int(),
    complained: z.int(),
    failed: z.int(),
    reminded: z.int(),
    choices: z.object({ accept: z.int(), keepPrevious: z.int(), delete: z.int() }),
    defaulted: z.int(),
    pending: z.object({
      sends: z.int().meta({ description: 'Audience not yet sent or failed.' }),
      choices: z.int().meta({ description: 'Sent choice emails with no choice recorded or defaulted yet.' }),
    }),
  })
  .meta({ id: 'CampaignProgress' });

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
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
        '200': { description: 'Dry run, or the campaign already exists', content: json(dryRunResponseSchema.or(campaignProgressSchema)) },
        '202': { description: 'Campaign started', content: json(campaignProgressSchema) },
        ...problemResponses(400, 401, 403, 404, 422),
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
};
