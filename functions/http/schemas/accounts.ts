/**
 * Request and response schemas of the account routes: one definition validates requests and
 * contributes the OpenAPI paths (`openApiPaths`).
 */
import { isIP } from 'node:net';
import { z } from 'zod';

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

const problemSchema = z
  .object({ type: z.string(), title: z.string(), status: z.int(), detail: z.string().optional() })
  .meta({ id: 'Problem' });

const json = (schema: z.ZodType) => ({ 'application/json': { schema: z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) } });
const problems = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: 'problem', content: { 'application/problem+json': { schema: z.toJSONSchema(problemSchema) } } },
    ]),
  );
const parameter = (name: string, location: 'path' | 'query', schema: z.ZodType) => ({
  name,
  in: location,
  required: location === 'path',
  schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }),
});
const accountParam = parameter('accountId', 'path', accountIdSchema);
const security = [{ jwt: [] }, { iam: [] }];

/** The account routes' OpenAPI 3.1 path items. */
export const openApiPaths: Record<string, Record<string, unknown>> = {
  '/v1/accounts/{accountId}/acceptances': {
    post: {
      operationId: 'recordAcceptance',
      summary: 'Record that the account accepted one exact published variant',
      security,
      parameters: [accountParam],
      requestBody: { required: true, content: json(acceptanceRequestSchema) },
      responses: {
        '201': { description: 'recorded', content: json(acceptanceRecordSchema) },
        '200': { description: 'already recorded: the same record', content: json(acceptanceRecordSchema) },
        ...problems(400, 401, 403, 409, 415, 422),
      },
    },
    get: {
      operationId: 'listAcceptanceEvidence',
      summary: "The account's evidence history, paginated",
      security,
      parameters: [
        accountParam,
        parameter('limit', 'query', z.string().regex(/^[1-9][0-9]{0,2}$/)),
        parameter('cursor', 'query', z.string().max(2048)),
      ],
      responses: { '200': { description: 'a page', content: json(historyPageSchema) }, ...problems(400, 401, 403) },
    },
  },
  '/v1/accounts/{accountId}/notices/{noticeId}/status': {
    get: {
      operationId: 'getAccountStatus',
      summary: 'Accepted and latest version, pending choice, choice made, governing version',
      security,
      parameters: [accountParam, parameter('noticeId', 'path', noticeIdSchema)],
      responses: { '200': { description: 'status', content: json(accountStatusSchema) }, ...problems(400, 401, 403, 404) },
    },
  },
  '/v1/accounts/{accountId}/contact': {
    put: {
      operationId: 'setContact',
      summary: 'Set the contact email (stored apart from the evidence, erasable)',
      security,
      parameters: [accountParam],
      requestBody: { required: true, content: json(contactRequestSchema) },
      responses: { '204': { description: 'stored' }, ...problems(400, 401, 403, 415, 422) },
    },
    delete: {
      operationId: 'eraseContact',
      summary: 'Erase the contact email; the evidence stays',
      security,
      parameters: [accountParam],
      responses: { '204': { description: 'erased' }, ...problems(400, 401, 403) },
    },
  },
};
