/**
 * The public notices API: request schemas (zod/mini, defined once) and the OpenAPI paths built
 * from them and the response schemas (`./notices-responses.ts`). The query schemas validate
 * requests on the serving path.
 */
import * as z from 'zod/mini';
import { LANGUAGE_TAG_PATTERN } from '../../core/language.ts';
import { COUNTRY_PATTERN, REGION_PATTERN, SUBDIVISION_PATTERN } from '../../core/regions.ts';
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
/** `?format=` of the diff: JSON for services, HTML for readers. */
export const DiffFormatSchema = z.enum(['json', 'html'], { error: 'format must be json or html' });


const regionParam = z.string().check(z.regex(REGION_PATTERN, { error: 'region must be a region id such as eea' }));
const countryParam = z.string().check(z.regex(COUNTRY_PATTERN, { error: 'country must be an ISO 3166-1 alpha-2 code such as DE' }));
const langParam = z.string().check(z.regex(LANGUAGE_TAG_PATTERN, { error: 'lang must be a language tag such as en or ja-JP' }));
const subdivisionParam = z.string().check(z.regex(SUBDIVISION_PATTERN, { error: 'subdivision must be an ISO 3166-2 code such as CA-QC' }));

// An instant: a date and a time with `Z` or an offset (`2026-03-01T09:00:00+09:00`), or a date alone (00:00 UTC).
const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
const AT_ERROR = 'at must be an ISO 8601 instant such as 2026-03-01T00:00:00Z (or a date such as 2026-03-01)';

/** The calendar parts of `value` exist (no 31 February, no hour 24) and it names a representable instant. */
const isRealInstant = (value: string): boolean => {
  const [date = '', time] = value.split('T');
  const midnight = Date.parse(`${date}T00:00:00Z`);
  if (!Number.isFinite(midnight) || new Date(midnight).toISOString().slice(0, 10) !== date) return false;
  if (time === undefined) return true;
  const [hours = 99, minutes = 99, seconds = 0] = time.replace(/(Z|[+-]\d{2}:\d{2})$/, '').split(':').map(Number);
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(time);
  if (hours > 23 || minutes > 59 || seconds >= 60 || (offset && (Number(offset[2]) > 23 || Number(offset[3]) > 59))) return false;
  return Number.isFinite(Date.parse(value));
};

/** `?at=`: the instant whose version in force is asked for (past or future). */
export const AtSchema = z.pipe(
  z.string().check(z.regex(INSTANT_PATTERN, { error: AT_ERROR }), z.refine((value: string) => isRealInstant(value), { error: AT_ERROR })),
  z.transform((value: string) => new Date(value.includes('T') ? value : `${value}T00:00:00Z`)),
);

/** `{noticeId}` path parameter. */
export const NoticeIdSchema = z.string().check(z.regex(NOTICE_ID_PATTERN, { error: 'noticeId must be a lower-case id such as privacy' }));

/** Query of the list and versions routes: only `at`. */
export const AtQuerySchema = z.object({ at: z.optional(AtSchema) });

/** Query of `GET /v1/notices/{noticeId}/versions`: `at`, and what selects the page (JSON ignores the rest). */
export const VersionsQuerySchema = z.object({
  at: z.optional(AtSchema),
  region: z.optional(regionParam),
  country: z.optional(countryParam),
  subdivision: z.optional(subdivisionParam),
  lang: z.optional(langParam),
  format: z.optional(DiffFormatSchema),
});

/** Query of `GET /v1/notices/{noticeId}`. Unknown parameters are ignored. */
export const NoticeQuerySchema = z.object({
  version: z.optional(versionNumber('version')),
  at: z.optional(AtSchema),
  region: z.optional(regionParam),
  country: z.optional(countryParam),
  subdivision: z.optional(subdivisionParam),
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
  subdivision: z.optional(subdivisionParam),
  lang: z.optional(langParam),
  format: z.optional(DiffFormatSchema),
});
export type DiffQuery = z.infer<typeof DiffQuerySchema>;

/** The OpenAPI path items of the public notices API (a function, so it costs the serving bundle nothing). */
export const openApiPaths = (): PathsSpec => {
  const schemas = noticeResponseSchemas();
  const noticeIdParameter: ParameterSpec = { name: 'noticeId', in: 'path', required: true, description: 'Notice id, e.g. `privacy`', schema: NoticeIdSchema };
  const regionParameter: ParameterSpec = { name: 'region', in: 'query', description: 'Region id (`global`, `eea`, `ca`, `jp`, `kr`); wins over everything else', schema: regionParam };
  const countryParameter: ParameterSpec = { name: 'country', in: 'query', description: 'ISO 3166-1 alpha-2 country; an unknown but well-formed country gets `global`', schema: countryParam };
  const subdivisionParameter: ParameterSpec = { name: 'subdivision', in: 'query', description: 'ISO 3166-2 subdivision (`CA-QC`, `ES-CN`); same precedence as `country`, and wins over its country\'s entry', schema: subdivisionParam };
  const atParameter: ParameterSpec = {
    name: 'at',
    in: 'query',
    description: 'ISO 8601 instant (`2026-03-01T00:00:00Z`, an offset, or a date for 00:00 UTC): answer as of then, past or future; `version` wins over it',
    schema: z.string().check(z.regex(INSTANT_PATTERN)),
  };
  const langParameter: ParameterSpec = { name: 'lang', in: 'query', description: 'Language tag; `ja-JP` is served `ja`; wins over Accept-Language', schema: langParam };
  const geoParameters: readonly ParameterSpec[] = [
    { name: 'CloudFront-Viewer-Country', in: 'header', description: 'Set by CloudFront: the viewer country', schema: z.string() },
    { name: 'CloudFront-Viewer-Country-Region', in: 'header', description: 'Set by CloudFront: the subdivision part only (`QC`)', schema: z.string() },
    { name: 'X-Notice-Region', in: 'header', description: 'Set by the CDN function from the geo headers; wins over them', schema: z.string() },
    { name: 'Accept-Language', in: 'header', description: 'Language preferences with q-values', schema: z.string() },
  ];
  /** What chooses the reader's region and language on every page route (`readerVariant`). */
  const readerParameters: readonly ParameterSpec[] = [regionParameter, countryParameter, subdivisionParameter, langParameter];
  /** The representation of the routes that answer JSON for services or a page for readers (diff, history). */
  const pageFormatParameters: readonly ParameterSpec[] = [
    { name: 'format', in: 'query', description: '`json` (for services) or `html` (a page for readers); wins over Accept', schema: DiffFormatSchema },
    ...geoParameters,
    { name: 'Accept', in: 'header', description: 'Representation when `format` is absent: `text/html` gives the page, anything else JSON', schema: z.string() },
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
        parameters: [atParameter, ifNoneMatchParameter()],
        responses: {
          '200': { description: 'The notices', headers: cacheHeaders(), content: { 'application/json': { schema: schemas.NoticeList } } },
          '304': { description: 'Not modified', headers: cacheHeaders() },
          ...problemResponses(400, 500),
        },
      },
    },
    '/v1/notices/{noticeId}': {
      get: {
        operationId: 'getNotice',
        summary: 'A regional and language variant of a notice',
        description:
          'Region precedence: `region` > `country`/`subdivision` > `X-Notice-Region` > CloudFront geo headers > `global`. ' +
          'Representation: `format`, else `Accept` (`application/json`, `text/html`, `text/markdown`). ' +
          'ETag: `"<contentHash>"` for JSON, `"<contentHash>.html"` / `"<contentHash>.md"` for the other formats. ' +
          'A version pinned by number is immutable; the latest is cached briefly, never past the next effective date.',
        tags: ['notices'],
        parameters: [
          noticeIdParameter,
          { name: 'version', in: 'query', description: 'Version number; default: the latest in force (now, or at `at`)', schema: z.string().check(z.regex(VERSION_PATTERN)) },
          atParameter,
          ...readerParameters,
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
        description:
          'JSON by default; with `format=html` or an `Accept` preferring `text/html`, an accessible page in the reader\'s language listing every version ' +
          '(effective date, in force / upcoming / superseded, declared changes and their effect) with links to each version\'s notice page and to the diff from the version before; ' +
          'region and language are chosen as for the notice itself.',
        tags: ['notices'],
        parameters: [
          noticeIdParameter,
          atParameter,
          ...readerParameters,
          ...pageFormatParameters,
          ifNoneMatchParameter(),
        ],
        responses: {
          '200': {
            description: 'The history',
            headers: { ...variantHeaders, 'Content-Language': { description: 'Language of the page (HTML only)', schema: z.string() } },
            content: { 'application/json': { schema: schemas.VersionHistory }, 'text/html': { schema: z.string() } },
          },
          '304': { description: 'Not modified', headers: cacheHeaders() },
          ...problemResponses(400, 404, 500),
        },
      },
    },
    '/v1/notices/{noticeId}/diff': {
      get: {
        operationId: 'diffNoticeVersions',
        summary: 'Section-level differences between two versions of a variant',
        description: 'JSON by default; with `format=html` or an `Accept` preferring `text/html`, an accessible page in the reader\'s language with removed and added text marked.',
        tags: ['notices'],
        parameters: [
          noticeIdParameter,
          { name: 'from', in: 'query', required: true, description: 'Older version number', schema: z.string().check(z.regex(VERSION_PATTERN)) },
          { name: 'to', in: 'query', required: true, description: 'Newer version number', schema: z.string().check(z.regex(VERSION_PATTERN)) },
          ...readerParameters,
          ...pageFormatParameters,
          ifNoneMatchParameter(),
        ],
        responses: {
          '200': {
            description: 'The differences',
            headers: cacheHeaders(),
            content: { 'application/json': { schema: schemas.NoticeDiff }, 'text/html': { schema: z.string() } },
          },
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
