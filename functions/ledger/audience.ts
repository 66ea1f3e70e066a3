/**
 * The campaigns' view of the ledger: the audience of a change notice and the contacts to mail.
 * Both are methods of `AcceptanceStore` (`queryAudience`, `getContacts`, `appendEvidence`); this
 * module gathers what a campaign planner needs in one import.
 */
export { AUDIENCE_SHARDS } from './types.ts';
export type { AudienceMember, AudienceQuery, EvidenceRecord, NotificationEvidence, ChoiceEvidence } from './types.ts';
export type { AcceptanceStore } from './store.ts';
export { shardOf } from './keys.ts';

/** Every shard number, for a planner that walks them all. */
export const allShards = (shards: number): number[] => Array.from({ length: shards }, (_, shard) => shard);
