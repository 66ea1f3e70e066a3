/**
 * The public notices API's response schemas (zod/mini, defined once): they document the
 * pre-rendered bodies in OpenAPI and are checked against the real artifact in tests.
 */
import * as z from 'zod/mini';
import { CHOICE_OPTION_IDS } from '../../core/choice-options.ts';

const register = <T extends z.ZodMiniType>(schema: T, id: string, description: string): T => {
  z.globalRegistry.add(schema, { id, description });
  return schema;
};

const buildResponseSchemas = () => {
  const contentHash = z.string().check(z.regex(/^[0-9a-f]{64}$/));
  const isoDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));
  const perLanguage = z.record(z.string(), z.string());

  const NoticeSectionSchema = register(
    z.object({
      id: z.string(),
      title: z.string(),
      region: z.nullable(z.string()),
      markdown: z.string(),
      html: z.string(),
    }),
    'NoticeSection',
    'One section of a variant; `region` is null for a common section.',
  );

  const NoticeVariantSchema = register(
    z.object({
      noticeId: z.string(),
      version: z.int(),
      effectiveDate: isoDate,
      region: z.string(),
      language: z.string(),
      contentHash,
      sections: z.array(NoticeSectionSchema),
      availableLanguages: z.array(z.string()),
    }),
    'NoticeVariant',
    'A regional and language variant of one version; `contentHash` is the SHA-256 of its canonical rendering.',
  );

  const DeclaredChangeSchema = register(
    z.object({
      sectionId: z.string(),
      kind: z.enum(['editorial', 'material']),
      effect: z.optional(z.enum(['raises', 'neutral', 'lowers'])),
      scope: z.optional(z.enum(['new-data', 'previously-collected'])),
      region: z.nullable(z.string()),
      summary: perLanguage,
      choices: z.optional(z.array(z.enum(CHOICE_OPTION_IDS))),
    }),
    'DeclaredChange',
    'A change against the previous version, as declared by its authors.',
  );

  const VersionStatusSchema = z.enum(['superseded', 'in-force', 'upcoming']);

  const NoticeSummarySchema = register(
    z.object({
      noticeId: z.string(),
      title: perLanguage,
      defaultLanguage: z.string(),
      latestVersion: z.nullable(z.int()),
      effectiveDate: z.nullable(isoDate),
      languages: z.array(z.string()),
      regions: z.array(z.string()),
      upcoming: z.array(z.object({ version: z.int(), effectiveDate: isoDate })),
    }),
    'NoticeSummary',
    'A notice with its latest version in force, its languages and regions, and versions published ahead.',
  );

  const NoticeListSchema = register(z.object({ notices: z.array(NoticeSummarySchema) }), 'NoticeList', 'Every notice served.');

  const VersionHistorySchema = register(
    z.object({
      noticeId: z.string(),
      latestVersion: z.nullable(z.int()),
      versions: z.array(
        z.object({
          version: z.int(),
          effectiveDate: isoDate,
          status: VersionStatusSchema,
          languages: z.array(z.string()),
          changes: z.array(DeclaredChangeSchema),
        }),
      ),
    }),
    'VersionHistory',
    'Every published version, oldest first, with its status at request time and its declared changes.',
  );

  const NoticeDiffSchema = register(
    z.object({
      noticeId: z.string(),
      from: z.int(),
      to: z.int(),
      fromEffectiveDate: isoDate,
      toEffectiveDate: isoDate,
      region: z.string(),
      language: z.string(),
      sections: z.array(
        z.object({
          id: z.string(),
          region: z.nullable(z.string()),
          status: z.enum(['added', 'removed', 'changed', 'unchanged']),
          title: z.string(),
          previousTitle: z.optional(z.string()),
          before: z.nullable(z.string()),
          after: z.nullable(z.string()),
          change: z.nullable(DeclaredChangeSchema),
          changes: z.array(DeclaredChangeSchema),
        }),
      ),
    }),
    'NoticeDiff',
    'Section-level differences between two versions of one variant, in the newer version\'s order; `change` is the latest declared change to the section in (from, to].',
  );
  return {
    NoticeSection: NoticeSectionSchema,
    NoticeVariant: NoticeVariantSchema,
    DeclaredChange: DeclaredChangeSchema,
    NoticeSummary: NoticeSummarySchema,
    NoticeList: NoticeListSchema,
    VersionHistory: VersionHistorySchema,
    NoticeDiff: NoticeDiffSchema,
  };
};

let responseSchemas: ReturnType<typeof buildResponseSchemas> | undefined;

/**
 * The response schemas, built (and registered as OpenAPI components) on first use. Only the
 * OpenAPI build and the tests need them, so the serving bundle does not carry them.
 */
export const noticeResponseSchemas = () => (responseSchemas ??= buildResponseSchemas());
