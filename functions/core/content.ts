/**
 * The compiled content artifact (`.build/content.json`): everything the serving path needs,
 * pre-rendered at build time so a request only selects bytes.
 */
import type { ChoiceOption } from './choice-options.ts';

export type { ChoiceOption };
export type ChangeKind = 'editorial' | 'material';
export type ChangeEffect = 'raises' | 'neutral' | 'lowers';
export type ChangeScope = 'new-data' | 'previously-collected';

/** Region id: `global` or a catalogue region such as `eea`, `ca`, `jp`, `kr`. */
export type RegionId = string;
/** Language tag as used by the content: a primary subtag such as `en`, `ja`. */
export type LanguageTag = string;

export interface RegionDefinition {
  readonly id: RegionId;
  /** Display name per language. */
  readonly name: Readonly<Record<LanguageTag, string>>;
  /** Served in the region when `Accept-Language` gives no usable answer (before the notice's default). */
  readonly defaultLanguage?: LanguageTag;
}

export interface RegionCatalogue {
  readonly regions: readonly RegionDefinition[];
  /** ISO 3166-1 alpha-2 country → region id (countries not listed get `global`). */
  readonly countries: Readonly<Record<string, RegionId>>;
  /** ISO 3166-2 subdivision (`CA-QC`, `US-CA`) → region id; wins over its country's entry. */
  readonly subdivisions: Readonly<Record<string, RegionId>>;
}

export interface DeclaredChange {
  readonly sectionId: string;
  readonly kind: ChangeKind;
  /** Present for material changes. */
  readonly effect?: ChangeEffect;
  /** Present for material changes. */
  readonly scope?: ChangeScope;
  /** Region of the changed section, or null for a common section. */
  readonly region: RegionId | null;
  /** One-line summary per language, for the version history and the change-notice email. */
  readonly summary: Readonly<Record<LanguageTag, string>>;
  /** Choices offered when this change requires one (defaults: all three). */
  readonly choices?: readonly ChoiceOption[];
}

export interface CompiledSection {
  readonly id: string;
  readonly title: string;
  readonly region: RegionId | null;
  readonly markdown: string;
  /** Sanitised HTML of the section body (no heading). */
  readonly html: string;
}

export interface CompiledVariant {
  readonly noticeId: string;
  readonly version: number;
  readonly region: RegionId;
  readonly language: LanguageTag;
  /** Lowercase hex SHA-256 of the canonical rendering (see docs/design.md). */
  readonly contentHash: string;
  readonly sections: readonly CompiledSection[];
  /** The full Markdown document. */
  readonly markdown: string;
  /** The full, standalone, accessible HTML document (`<html lang>`, landmarks, headings). */
  readonly html: string;
  /** The exact JSON response body for `GET /v1/notices/{id}` (format=json). */
  readonly json: string;
  /**
   * The diff page (`GET /v1/notices/{id}/diff?format=html`) from each earlier version that has this
   * region and language, to this one, keyed by the earlier version's number (this one's own number too: no change).
   */
  readonly diffPages: Readonly<Record<string, string>>;
  /**
   * On the newest version's variants only: the version-history page (`GET /v1/notices/{id}/versions?format=html`)
   * in this language with links for this region, keyed by the version in force (`"0"` while none is).
   */
  readonly historyPages?: Readonly<Record<string, string>>;
}

export interface CompiledVersion {
  readonly version: number;
  /** `YYYY-MM-DD`; effective from 00:00:00 UTC of that date. */
  readonly effectiveDate: string;
  readonly languages: readonly LanguageTag[];
  /** Section ids in order, with their region (null = common). */
  readonly sections: readonly { readonly id: string; readonly region: RegionId | null }[];
  /** Changes against the previous version (empty for version 1). */
  readonly changes: readonly DeclaredChange[];
  /** Keyed `${region}/${language}`. */
  readonly variants: Readonly<Record<string, CompiledVariant>>;
}

export interface CompiledNotice {
  readonly noticeId: string;
  readonly title: Readonly<Record<LanguageTag, string>>;
  readonly defaultLanguage: LanguageTag;
  /** Regions this notice is served in: `global` first, then the catalogue's. */
  readonly regions: readonly RegionId[];
  /** Ascending by version number. */
  readonly versions: readonly CompiledVersion[];
}

export interface CompiledContent {
  readonly schemaVersion: 1;
  /** SHA-256 of all source files, for cache busting and provenance. */
  readonly sourceHash: string;
  readonly catalogue: RegionCatalogue;
  readonly notices: readonly CompiledNotice[];
  /** The OpenAPI 3.1 document served at `GET /v1/openapi.json`, as a JSON string. */
  readonly openapi: string;
  /** The Content-Security-Policy of every pre-rendered HTML page (its inline stylesheet's hash: the notices Lambda computes no hash). */
  readonly documentSecurityPolicy: string;
}

export const variantKey = (region: RegionId, language: LanguageTag): string => `${region}/${language}`;

/**
 * The slim index (`.build/content-index.json`): the compiled content without the pre-rendered
 * documents (no `markdown`/`html`/`json`, no section bodies, no OpenAPI document). Everything but
 * the notices Lambda reads only this. Each `Indexed*` type is a structural subset of its
 * `Compiled*` counterpart, so code typed against the index also accepts the full content.
 */
export interface IndexedSection {
  readonly id: string;
  readonly title: string;
  readonly region: RegionId | null;
}

export interface IndexedVariant {
  readonly noticeId: string;
  readonly version: number;
  readonly region: RegionId;
  readonly language: LanguageTag;
  /** Lowercase hex SHA-256 of the canonical rendering (see docs/design.md). */
  readonly contentHash: string;
  readonly sections: readonly IndexedSection[];
}

export interface IndexedVersion {
  readonly version: number;
  /** `YYYY-MM-DD`; effective from 00:00:00 UTC of that date. */
  readonly effectiveDate: string;
  readonly languages: readonly LanguageTag[];
  readonly sections: readonly { readonly id: string; readonly region: RegionId | null }[];
  readonly changes: readonly DeclaredChange[];
  /** Keyed `${region}/${language}`. */
  readonly variants: Readonly<Record<string, IndexedVariant>>;
}

export interface IndexedNotice {
  readonly noticeId: string;
  readonly title: Readonly<Record<LanguageTag, string>>;
  readonly defaultLanguage: LanguageTag;
  readonly regions: readonly RegionId[];
  /** Ascending by version number. */
  readonly versions: readonly IndexedVersion[];
}

export interface ContentIndex {
  readonly schemaVersion: 1;
  /** The `sourceHash` of the compiled content it was derived from. */
  readonly sourceHash: string;
  readonly catalogue: RegionCatalogue;
  readonly notices: readonly IndexedNotice[];
}

/**
 * The email and choice-page templates (`.build/templates.json`), compiled from `templates/emails/**`
 * and `templates/pages/**` so that no Lambda reads a template file at run time. Keys are paths
 * under `templates/` (`emails/en/choice.html`, `pages/_head.html`).
 */
export interface CompiledTemplates {
  readonly schemaVersion: 1;
  /** HTML and text templates, verbatim. */
  readonly text: Readonly<Record<string, string>>;
  /** YAML templates (`emails/<lang>/subjects.yaml`, `pages/<lang>/strings.yaml`), parsed at build time. */
  readonly data: Readonly<Record<string, unknown>>;
}
