/** The acceptance ledger: re-exports only. */
export * from './types.ts';
export * from './errors.ts';
export type { AcceptanceStore } from './store.ts';
export { DynamoDbAcceptanceStore, createDocumentClient, type DynamoDbAcceptanceStoreOptions } from './dynamodb-store.ts';
export * from './table-definition.ts';
export * from './keys.ts';
export * from './published-variants.ts';
export { recordAcceptance, type RecordAcceptanceInput, USER_AGENT_MAX_LENGTH } from './record-acceptance.ts';
export { accountStatus, type AccountStatus } from './account-status.ts';
export { setContact, eraseContact } from './contact.ts';
export { allShards } from './audience.ts';
