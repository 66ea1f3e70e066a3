/**
 * The environment variables any Lambda may read, with how each is parsed: the table the manifest
 * rows (`./manifest.ts`) pick from and `./lambda-env.ts` parses with. Pure data, no imports.
 */

/** Every environment variable a Lambda may read, with how it is parsed. */
export const ENVIRONMENT_VARIABLES = {
  /** The ledger table. */
  TABLE_NAME: { type: 'string' },
  /** Campaign start → planner (and a planner's continuation of a large shard). */
  PLANNER_QUEUE_URL: { type: 'string' },
  /** Planner → sender batches. */
  SEND_QUEUE_URL: { type: 'string' },
  /** Base of the links in emails: CloudFront or the custom domain, never the origin API. */
  PUBLIC_BASE_URL: { type: 'string' },
  /** The choice tokens' HMAC key. */
  TOKEN_SECRET_ARN: { type: 'string' },
  /** `From:` of change-notice emails. */
  SENDER_ADDRESS: { type: 'string' },
  /** The SES identity (domain or address) the sender address belongs to: checked for readiness. */
  SENDER_IDENTITY: { type: 'string' },
  /** The SES configuration set every email is sent through. */
  CONFIGURATION_SET: { type: 'string' },
  /** Recipients per second shared by every concurrent sender. */
  SEND_QUOTA_PER_SECOND: { type: 'number' },
  /** Also send informational emails for material changes without a choice. */
  INFORMATIONAL_EMAILS: { type: 'boolean', defaultValue: false },
  /** Where recorded choices are published. */
  EVENT_BUS_NAME: { type: 'string' },
  /** Changes of choice an account may make per campaign (docs/design.md, "Choices"). */
  CHOICE_CHANGE_LIMIT: { type: 'number', defaultValue: 10 },
  /** Days before a deadline the reminder goes out (0: none). */
  REMINDER_DAYS: { type: 'number', defaultValue: 7 },
  /**
   * The `x-origin-verify` values CloudFront's requests may carry (the origin-verify secret's JSON,
   * every string value accepted); empty: no check (functions/http/origin-verify.ts).
   */
  ORIGIN_VERIFY_VALUES: { type: 'string', defaultValue: '' },
  /** Days a late enrolee has at least between its email and its deadline. */
  MIN_ANSWER_DAYS: { type: 'number', defaultValue: 14 },
} as const satisfies Record<string, EnvironmentVariableSpec>;

/** How one environment variable is parsed; with a default it may be absent. */
export type EnvironmentVariableSpec =
  | { readonly type: 'string'; readonly defaultValue?: string }
  | { readonly type: 'number'; readonly defaultValue?: number }
  | { readonly type: 'boolean'; readonly defaultValue?: boolean };

export type EnvironmentVariable = keyof typeof ENVIRONMENT_VARIABLES;

type ValueOf<V extends EnvironmentVariable> = (typeof ENVIRONMENT_VARIABLES)[V]['type'] extends 'number'
  ? number
  : (typeof ENVIRONMENT_VARIABLES)[V]['type'] extends 'boolean'
    ? boolean
    : string;

/** The parsed environment of a manifest row (`functions/manifest.ts`): exactly its keys, each with its type. */
export type EnvironmentOf<S extends { readonly environment: readonly EnvironmentVariable[] }> = { readonly [V in S['environment'][number]]: ValueOf<V> };
