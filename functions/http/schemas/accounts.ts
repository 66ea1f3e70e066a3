/**
 * Request and response schemas of the account routes: one definition validates requests and
 * contributes the OpenAPI paths (`openApiPaths`).
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { problemResponses, type ParameterSpec, type PathsSpec } from './common.ts';

export const accountIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'letters, digits and _ . : - (at most 128)')
  .meta({ description: 'The account id (the `sub` of an end-user token).' });
export const noticeIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lowercase letters, digits and -');
const regionSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a region id such as global, eea, jp');
const languageSchema = z.string().max(35).regex(/^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/, 'a language tag such as en, ja');
const contentHashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'lowercase hex SHA-256');
/** Email as RFC 5321 allows in length; never echoed back in an error. */
export const emailSchema = z.email({ error: 'not a valid email address' }).max(254);

const sourceSchema = z.strictObject({
  channel: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a channel such as web, app, api').default('api'),
  ip: z
    .string()
    .max(64)
    .refine((value) => isIP(value) !== 0, 'not an IPv4 or IPv6 address')
    .meta({ description: 'Client IP; stored truncated (IPv4 /24, IPv6 /48).' })
    .optional(),
  userAgent: z.string().max(2048).meta({ description: 'Stored cut to 256 characters.' }).optional(),
});

export const acceptanceRequestSchema = z
  .strictObject({
    noticeId: noticeIdSchema,
    version: z.int().min(1).max(999_999),
    region: regionSchema,
    language: languageSchema,
    contentHash: contentHashSchema,
    email: emailSchema.optional(),
    source: sourceSchema.optional(),
  })
  .meta({ id: 'AcceptanceRequest' });

export const contactRequestSchema = z.strictObject({ email: emailSchema }).meta({ id: 'ContactRequest' });

export const historyQuerySchema = z.strictObject({
  limit: z
    .string()
    .regex(/^[1-9][0-9]{0,2}$/, 'a whole number from 1 to 100')
    .transform(Number)
    .pipe(z.int().max(100, 'at most 100'))
    .optional(),
  cursor: z.string().min(1).max(2048).optional(),
});

export const accountPathSchema = z.object({ accountId: accountIdSchema });
export const statusPathSchema = z.object({ accountId: accountIdSchema, noticeId: noticeIdSchema });

const evidenceSourceSchema = z.object({ channel: z.string(), ipPrefix: z.string().optional(), userAgent: z.string().optional() });

export const acceptanceRecordSchema = z
  .object({
    kind: z.literal('acceptance'),
    accountId: z.string(),
    noticeId: z.string(),
    version: z.int(),
    region: z.string(),
    language: z.string(),
    contentHash: z.string(),
    at: z.iso.datetime(),
    source: evidenceSourceSchema,
  })
  .meta({ id: 'AcceptanceRecord' });

export const historyPageSchema = z
  .object({
    items: z.array(z.looseObject({ kind: z.enum(['acceptance', 'notification', 'choice']), noticeId: z.string(), at: z.string() })),
    cursor: z.string().optional().meta({ description: 'Pass as `?cursor=` for the next page; absent on the last page.' }),
  })
  .meta({ id: 'EvidencePage' });

export const accountStatusSchema = z
  .looseObject({
    accountId: z.string(),
    noticeId: z.string(),
    acceptedVersion: z.int().nullable(),
    acceptedAt: z.string().nullable(),
    contentHash: z.string().nullable(),
    region: z.string().nullable(),
    language: z.string().nullable(),
    latestVersion: z.int().nullable(),
    latestEffectiveDate: z.string().nullable(),
    pendingChoice: z.unknown().optional(),
    choice: z.unknown().optional(),
  })
  .meta({ id: 'AccountStatus' });

const accountParameter = (): ParameterSpec => ({ name: 'accountId', in: 'path', required: true, description: 'The account', schema: accountIdSchema });
// A service signs with IAM (SigV4); an end user or admin presents a JWT.
const security: readonly Readonly<Record<string, readonly string[]>>[] = [{ sigv4: [] }, { bearer: [] }];
const tags = ['accounts'];

/** The account routes' OpenAPI 3.1 path items (a function: nothing is built unless the document is). */
export const openApiPaths = (): PathsSpec => ({
  '/v1/accounts/{accountId}/acceptances': {
    post: {
      operationId: 'recordAcceptance',
      summary: 'Record that the account accepted one exact published variant',
      description: 'The same acceptance again answers 200 with the first record. A hash that is not the variant\'s is 409.',
      tags,
      security,
      parameters: [accountParameter()],
      requestBody: { required: true, content: { 'application/json': { schema: acceptanceRequestSchema } } },
      responses: {
        '201': { description: 'Recorded', content: { 'application/json': { schema: acceptanceRecordSchema } } },
        '200': { description: 'Already recorded: the same record', content: { 'application/json': { schema: acceptanceRecordSchema } } },
        ...problemResponses(400, 401, 403, 409, 415, 422),
      },
    },
    get: {
      operationId: 'listAcceptanceEvidence',
      summary: "The account's evidence history (acceptances, notifications, choices), paginated",
      tags,
      security,
      parameters: [
        accountParameter(),
        { name: 'limit', in: 'query', description: 'Items per page, 1 to 100 (default 25)', schema: { type: 'integer', minimum: 1, maximum: 100 } },
        { name: 'cursor', in: 'query', description: 'The `cursor` of the previous page, as given', schema: { type: 'string', maxLength: 2048 } },
      ],
      responses: { '200': { description: 'A page', content: { 'application/json': { schema: historyPageSchema } } }, ...problemResponses(400, 401, 403) },
    },
  },
  '/v1/accounts/{accountId}/notices/{noticeId}/status': {
    get: {
      operationId: 'getAccountStatus',
      summary: 'Accepted and latest version, pending choice, choice made, and which version governs which data',
      tags,
      security,
      parameters: [accountParameter(), { name: 'noticeId', in: 'path', required: true, description: 'The notice', schema: noticeIdSchema }],
      responses: { '200': { description: 'Status', content: { 'application/json': { schema: accountStatusSchema } } }, ...problemResponses(400, 401, 403, 404) },
    },
  },
  '/v1/accounts/{accountId}/contact': {
    put: {
      operationId: 'setContact',
      summary: 'Set the contact email (kept apart from the evidence, erasable)',
      tags,
      security,
      parameters: [accountParameter()],
      requestBody: { required: true, content: { 'application/json': { schema: contactRequestSchema } } },
      responses: { '204': { description: 'Stored' }, ...problemResponses(400, 401, 403, 422) },
    },
    delete: {
      operationId: 'eraseContact',
      summary: 'Erase the contact email; the evidence stays',
      tags,
      security,
      parameters: [accountParameter()],
      responses: { '204': { description: 'Erased' }, ...problemResponses(400, 401, 403) },
    },
  },
});
