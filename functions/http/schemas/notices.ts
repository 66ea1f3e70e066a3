/**
 * The public notices API: request schemas (zod/mini, defined once) and the OpenAPI paths built
 * from them and the response schemas (`./notices-responses.ts`). The query schemas validate
 * requests on the serving path.
 */
import * as z from 'zod/mini';
import { LANGUAGE_TAG_PATTERN } from '../../core/language.ts';
import { COUNTRY_PATTERN, REGION_PATTERN } from '../../core/regions.ts';
import { cacheHeaders, ifNoneMatchParameter, type ParameterSpec, type PathsSpec, problemResponses } from './common.ts';
import { noticeResponseSchemas } from './notices-responses.ts';

const NOTICE_ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+){0,7}$/;
// Nine digits: anything longer is malformed rather than an unknown version.
const VERSION_PATTERN = /^[1-9][0-9]{0,8}$/;

const versionNumber = (name: string) =>
  z.pipe(
    z.string().check(z.regex(VERSION_PATTERN, { error: `${name} must be a positive integer such as 2` })),
    z.transform((value: string) => Number(value)),
  );

/** `?format=`: an explicit representation, winning over `Accept`. */
export const FormatSchema = z.enum(['json', 'html', 'md'], { error: 'format must be json, html or md' });
export type Format = z.infer<typeof FormatSchema>;

const regionParam = z.string().check(z.regex(REGION_PATTERN, { error: 'region must be a region id such as eea' }));
const countryParam = z.string().check(z.regex(COUNTRY_PATTERN, { error: 'country must be an ISO 3166-1 alpha-2 code such as DE' }));
const langParam = z.string().check(z.regex(LANGUAGE_TAG_PATTERN, { error: 'lang must be a language tag such as en or ja-JP' }));

/** `{noticeId}` path parameter. */
export const NoticeIdSchema = z.string().check(z.regex(NOTICE_ID_PATTERN, { error: 'noticeId must be a lower-case id such as privacy' }));

/** Query of `GET /v1/notices/{noticeId}`. Unknown parameters are ignored. */
export const NoticeQuerySchema = z.object({
  version: z.optional(versionNumber('version')),
  region: z.optional(regionParam),
  country: z.optional(countryParam),
  lang: z.optional(langParam),
  format: z.optional(FormatSchema),
});
export type NoticeQuery = z.infer<typeof NoticeQuerySchema>;

/** Query of `GET /v1/notices/{noticeId}/diff`. */
export const DiffQuerySchema = z.object({
  from: versionNumber('from'),
  to: versionNumber('to'),
  region: z.optional(regionParam),
  country: z.optional(countryParam),
  lang: z.optional(langParam),
});
export type DiffQuery = z.infer<typeof DiffQuerySchema>;

/** The OpenAPI path items of the public notices API (a function, so it costs the serving bundle nothing). */
export const openApiPaths = (): PathsSpec => {
  const schemas = noticeResponseSchemas();
  const noticeIdParameter: ParameterSpec = { name: 'noticeId', in: 'path', required: true, description: 'Notice id, e.g. `privacy`', schema: NoticeIdSchema };
  const regionParameter: ParameterSpec = { name: 'region', in: 'query', description: 'Region id (`global`, `eea`, `ca`, `jp`, `kr`); wins over everything else', schema: regionParam };
  const countryParameter: ParameterSpec = { name: 'country', in: 'query', description: 'ISO 3166-1 alpha-2 country; an unknown but well-formed country gets `global`', schema: countryParam };
  const langParameter: ParameterSpec = { name: 'lang', in: 'query', description: 'Language tag; `ja-JP` is served `ja`; wins over Accept-Language', schema: langParam };
  const geoParameters: readonly ParameterSpec[] = [
    { name: 'CloudFront-Viewer-Country', in: 'header', description: 'Set by CloudFront: the viewer country', schema: z.string() },
    { name: 'CloudFront-Viewer-Country-Region', in: 'header', description: 'Set by CloudFront: the subdivision part only (`QC`)', schema: z.string() },
    { name: 'X-Notice-Region', in: 'header', description: 'Set by the CDN function from the geo headers; wins over them', schema: z.string() },
    { name: 'Accept-Language', in: 'header', description: 'Language preferences with q-values', schema: z.string() },
  ];

  const variantHeaders = {
    ...cacheHeaders(),
    'Content-Language': { description: 'Language of the variant', schema: z.string() },
    'X-Notice-Region': { description: 'Region of the variant', schema: z.string() },
    Vary: { description: 'Request headers that select the variant', schema: z.string() },
  };
  return {
    '/v1/notices': {
      get: {
        operationId: 'listNotices',
        summary: 'The notices with their latest version, languages and regions',
        tags: ['notices'],
        parameters: [ifNoneMatchParameter()],
        responses: {
          '200': { description: 'The notices', headers: cacheHeaders(), content: { 'application/json': { schema: schemas.NoticeList } } },
          '304': { description: 'Not modified', headers: cacheHeaders() },
          ...problemResponses(500),
        },
      },
    },
    '/v1/notices/{noticeId}': {
      get: {
        operationId: 'getNotice',
        summary: 'A regional and language variant of a notice',
        description:
          'Region precedence: `region` > `country` > `X-Notice-Region` > CloudFront geo headers > `global`. ' +
          'Representation: `format`, else `Accept` (`application/json`, `text/html`, `text/markdown`). ' +
          'ETag: `"<contentHash>"` for JSON, `"<contentHash>.html"` / `"<contentHash>.md"` for the other formats. ' +
          'A version pinned by number is immutable; the latest is cached briefly, never past the next effective date.',
        tags: ['notices'],
        parameters: [
          noticeIdParameter,
          { name: 'version', in: 'query', description: 'Version number; default: the latest in force', schema: z.string().check(z.regex(VERSION_PATTERN)) },
          regionParameter,
          countryParameter,
          langParameter,
          { name: 'format', in: 'query', description: 'Representation; wins over Accept', schema: FormatSchema },
          ...geoParameters,
          { name: 'Accept', in: 'header', description: 'Representation when `format` is absent', schema: z.string() },
          ifNoneMatchParameter(),
        ],
        responses: {
          '200': {
            description: 'The variant',
            headers: variantHeaders,
            content: {
              'application/json': { schema: schemas.NoticeVariant },
              'text/html': { schema: z.string() },
              'text/markdown': { schema: z.string() },
            },
          },
          '304': { description: 'Not modified', headers: variantHeaders },
          ...problemResponses(400, 404, 406, 422, 500),
        },
      },
    },
    '/v1/notices/{noticeId}/versions': {
      get: {
        operationId: 'listNoticeVersions',
        summary: 'Version history with effective dates and declared changes',
        tags: ['notices'],
        parameters: [noticeIdParameter, ifNoneMatchParameter()],
        responses: {
          '200': { description: 'The history', headers: cacheHeaders(), content: { 'application/json': { schema: schemas.VersionHistory } } },
          '304': { description: 'Not modified', headers: cacheHeaders() },
          ...problemResponses(400, 404, 500),
        },
      },
    },
    '/v1/notices/{noticeId}/diff': {
      get: {
        operationId: 'diffNoticeVersions',
        summary: 'Section-level differences between two versions of a variant',
        tags: ['notices'],
        parameters: [
          noticeIdParameter,
          { name: 'from', in: 'query', required: true, description: 'Older version number', schema: z.string().check(z.regex(VERSION_PATTERN)) },
          { name: 'to', in: 'query', required: true, description: 'Newer version number', schema: z.string().check(z.regex(VERSION_PATTERN)) },
          regionParameter,
          countryParameter,
          langParameter,
          ...geoParameters,
          ifNoneMatchParameter(),
        ],
        responses: {
          '200': { description: 'The differences', headers: cacheHeaders(), content: { 'application/json': { schema: schemas.NoticeDiff } } },
          '304': { description: 'Not modified', headers: cacheHeaders() },
          ...problemResponses(400, 404, 422, 500),
        },
      },
    },
    '/v1/openapi.json': {
      get: {
        operationId: 'getOpenApiDocument',
        summary: 'This document',
        tags: ['meta'],
        parameters: [ifNoneMatchParameter()],
        responses: {
          '200': { description: 'The OpenAPI 3.1 document', headers: cacheHeaders(), content: { 'application/json': { schema: { type: 'object' } } } },
          '304': { description: 'Not modified', headers: cacheHeaders() },
        },
      },
    },
  };
};
