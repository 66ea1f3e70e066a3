/**
 * Request and response schemas of the account routes: one definition validates requests and
 * contributes the OpenAPI paths (`openApiPaths`).
 */
import { isIP } from 'node:net';
import * as z from 'zod/mini';
import { problemResponses, type ParameterSpec, type PathsSpec } from './common.ts';

// zod/mini keeps the accounts Lambda small (full zod adds ~440 KB); components get their ids below.
const pattern = (regex: RegExp, message: string) => z.string().check(z.regex(regex, message));

export const accountIdSchema = pattern(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'letters, digits and _ . : - (at most 128)');
export const noticeIdSchema = pattern(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lowercase letters, digits and -');
const regionSchema = pattern(/^[a-z][a-z0-9-]{0,31}$/, 'a region id such as global, eea, jp');
const languageSchema = z.string().check(z.maxLength(35, 'at most 35 characters'), z.regex(/^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/, 'a language tag such as en, ja'));
const contentHashSchema = pattern(/^[0-9a-f]{64}$/, 'lowercase hex SHA-256');
/** Email as RFC 5321 allows in length; the message never echoes the value. */
export const emailSchema = z.email({ error: 'not a valid email address' }).check(z.maxLength(254, 'at most 254 characters'));

const sourceSchema = z.strictObject({
  channel: z._default(pattern(/^[a-z][a-z0-9-]{0,31}$/, 'a channel such as web, app, api'), 'api'),
  ip: z.optional(z.string().check(z.maxLength(64, 'at most 64 characters'), z.refine((value) => isIP(value) !== 0, 'not an IPv4 or IPv6 address'))),
  userAgent: z.optional(z.string().check(z.maxLength(2048, 'at most 2048 characters'))),
});

export const acceptanceRequestSchema = z.strictObject({
  noticeId: noticeIdSchema,
  version: z.int('a whole number').check(z.minimum(1, 'at least 1'), z.maximum(999_999, 'at most 999999')),
  region: regionSchema,
  language: languageSchema,
  contentHash: contentHashSchema,
  email: z.optional(emailSchema),
  source: z.optional(sourceSchema),
  /** Import: when the customer accepted (service or admin principals only; never in the future). */
  acceptedAt: z.optional(z.iso.datetime({ offset: true, error: 'an ISO 8601 instant such as 2025-06-01T12:00:00Z' })),
});

export const contactRequestSchema = z.strictObject({ email: emailSchema });

export const historyQuerySchema = z.strictObject({
  limit: z.optional(
    z.pipe(
      pattern(/^(?:[1-9][0-9]?|100)$/, 'a whole number from 1 to 100'),
      z.transform((value: string) => Number(value)),
    ),
  ),
  cursor: z.optional(z.string().check(z.minLength(1, 'not empty'), z.maxLength(2048, 'at most 2048 characters'))),
  noticeId: z.optional(noticeIdSchema),
  kind: z.optional(z.enum(['acceptance', 'notification', 'choice', 'contact'], 'acceptance, notification, choice or contact')),
});

export const evidenceQuerySchema = z.strictObject({ noticeId: z.optional(noticeIdSchema) });

export const accountPathSchema = z.object({ accountId: accountIdSchema });
export const statusPathSchema = z.object({ accountId: accountIdSchema, noticeId: noticeIdSchema });

const evidenceSourceSchema = z.object({ channel: z.string(), ipPrefix: z.optional(z.string()), userAgent: z.optional(z.string()) });

export const acceptanceRecordSchema = z.object({
  kind: z.literal('acceptance'),
  accountId: z.string(),
  noticeId: z.string(),
  version: z.int(),
  region: z.string(),
  language: z.string(),
  contentHash: z.string(),
  at: z.iso.datetime(),
  acceptedAt: z.optional(z.iso.datetime()),
  imported: z.optional(z.boolean()),
  source: evidenceSourceSchema,
});

const evidenceItemSchema = z.looseObject({ kind: z.enum(['acceptance', 'notification', 'choice', 'contact']), accountId: z.string(), noticeId: z.optional(z.string()), at: z.string() });

export const historyPageSchema = z.object({
  items: z.array(evidenceItemSchema),
  cursor: z.optional(z.string()),
});

export const accountEvidenceSchema = z.object({
  accountId: z.string(),
  noticeId: z.optional(z.string()),
  items: z.array(evidenceItemSchema),
});

export const accountStatusSchema = z.object({
  accountId: z.string(),
  noticeId: z.string(),
  acceptedVersion: z.nullable(z.int()),
  acceptedAt: z.nullable(z.string()),
  contentHash: z.nullable(z.string()),
  region: z.nullable(z.string()),
  language: z.nullable(z.string()),
  latestVersion: z.nullable(z.int()),
  latestEffectiveDate: z.nullable(z.string()),
  pendingChoice: z.nullable(z.looseObject({ campaignId: z.string(), version: z.int(), deadline: z.string(), options: z.array(z.string()) })),
  choice: z.nullable(z.looseObject({ option: z.string(), at: z.string(), defaulted: z.boolean(), version: z.int() })),
  governs: z.array(z.object({ version: z.int(), forDataCollected: z.object({ before: z.optional(z.string()), from: z.optional(z.string()) }) })),
});

let registered = false;
/** Name the documented schemas as OpenAPI components (once, and only when the document is built). */
const registerComponents = (): void => {
  if (registered) return;
  registered = true;
  z.globalRegistry.add(acceptanceRequestSchema, { id: 'AcceptanceRequest' });
  z.globalRegistry.add(contactRequestSchema, { id: 'ContactRequest' });
  z.globalRegistry.add(acceptanceRecordSchema, { id: 'AcceptanceRecord' });
  z.globalRegistry.add(historyPageSchema, { id: 'EvidencePage', description: '`cursor` is absent on the last page; pass it back as `?cursor=`.' });
  z.globalRegistry.add(accountStatusSchema, { id: 'AccountStatus' });
  z.globalRegistry.add(accountEvidenceSchema, {
    id: 'AccountEvidence',
    description:
      'Every evidence item in time order (an imported acceptance at its acceptedAt): acceptances (variant, content hash, source, imported), ' +
      'notifications (sent, delivered, bounced, complained, failed; message id), choices (option, defaulted, what was shown), ' +
      'contact events (set or erased; never the address).',
  });
};

const accountParameter = (): ParameterSpec => ({ name: 'accountId', in: 'path', required: true, description: 'The account', schema: accountIdSchema });
// A service signs with IAM (SigV4); an end user or admin presents a JWT.
const security: readonly Readonly<Record<string, readonly string[]>>[] = [{ sigv4: [] }, { bearer: [] }];
const tags = ['accounts'];

/** The account routes' OpenAPI 3.1 path items (a function: nothing is built unless the document is). */
export const openApiPaths = (): PathsSpec => {
  registerComponents();
  return paths();
};

const paths = (): PathsSpec => ({
  '/v1/accounts/{accountId}/acceptances': {
    post: {
      operationId: 'recordAcceptance',
      summary: 'Record that the account accepted one exact published variant',
      description:
        'The same acceptance again answers 200 with the first record (and never writes the contact). A hash that is not the variant\'s is 409. ' +
        'Without `source`, an end user\'s acceptance takes the IP prefix and user agent from the request (behind CloudFront, `CloudFront-Viewer-Address`). ' +
        '`acceptedAt` (import) is for service and admin principals only and must not be in the future (400 otherwise).',
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
      summary: "The account's evidence history (acceptances, notifications, choices, contact events) in time order, paginated",
      tags,
      security,
      parameters: [
        accountParameter(),
        { name: 'limit', in: 'query', description: 'Items per page, 1 to 100 (default 25)', schema: { type: 'integer', minimum: 1, maximum: 100 } },
        { name: 'cursor', in: 'query', description: 'The `cursor` of the previous page, as given', schema: { type: 'string', maxLength: 2048 } },
        { name: 'noticeId', in: 'query', description: 'Only the evidence of this notice', schema: noticeIdSchema },
        { name: 'kind', in: 'query', description: 'Only this kind of evidence', schema: { type: 'string', enum: ['acceptance', 'notification', 'choice', 'contact'] } },
      ],
      responses: { '200': { description: 'A page, oldest first', content: { 'application/json': { schema: historyPageSchema } } }, ...problemResponses(400, 401, 403) },
    },
  },
  '/v1/accounts/{accountId}/evidence': {
    get: {
      operationId: 'getAccountEvidence',
      summary: "The account's whole record in time order: acceptances, notifications, choices, contact events",
      tags,
      security,
      parameters: [accountParameter(), { name: 'noticeId', in: 'query', description: 'Only the evidence of this notice (contact events are always included)', schema: noticeIdSchema }],
      responses: { '200': { description: 'The record', content: { 'application/json': { schema: accountEvidenceSchema } } }, ...problemResponses(400, 401, 403) },
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
