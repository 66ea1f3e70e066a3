/**
 * A recipient's send facts, from wherever they were written: the one resolver every reader of a
 * campaign's recipient items goes through (the recipient store, the sweeps, the recount, the
 * account's `notified` and notification evidence, the export, the local recovery, the claim).
 *
 * The sender writes one item per SES call, not one per recipient (`campaignCallKey`): before
 * SES it names the recipients it hands over (`submitted`), after SES what SES accepted
 * (`accepted`: account → `{ m: message id, t: instant }`, kind `notice` | `reminder`). The
 * SES-events handler keeps the notices' deliveries in the call's delivery log (`<callId>#D`, one
 * attribute `@<account>` = the delivery instant per recipient). The recipient item keeps only
 * the claim (`sending`, its attempt, a lease): whatever its attempt's calls say it holds. So a
 * recipient item `sending` whose attempt's call accepted it *is* `sent`, with that message id
 * and instant; a delivery in the log is its `delivered` outcome. What a recipient item holds
 * itself (a `sent` mark from the crash-reconciliation path, a bounce kept on the item) wins.
 *
 * `withSendFacts` answers the items as if those facts were written on them (`status: 'sent'`,
 * `messageId`, `sentAt`, `deliveredAt` …): the attribute names the per-recipient marks had, so
 * every reader interprets one shape. A reader's projection must include `pk`, `sk`, `status`,
 * `attempt`, `reminderStatus`, `reminderAttempt` and `deliveredAt` (`SEND_FACT_ATTRIBUTES`).
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DELIVERY_ATTRIBUTE_PREFIX, DELIVERY_LOG_SUFFIX, attemptCallsPrefix, campaignCallPk } from './keys.ts';

type Item = Record<string, unknown>;
type Kind = 'notice' | 'reminder';

interface Table {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** What SES accepted for one recipient in one call. */
export interface AcceptedEntry {
  readonly messageId: string;
  /** ISO 8601: when the sender recorded SES's answer. */
  readonly at: string;
}

/** What one attempt's calls in one recipient shard say. */
export interface AttemptFacts {
  /** Handed to SES and not answered (in doubt after a crash), per kind. */
  readonly submitted: ReadonlyMap<Kind, ReadonlySet<string>>;
  readonly accepted: ReadonlyMap<Kind, ReadonlyMap<string, AcceptedEntry>>;
  /** Notices delivered: account → delivery instant. */
  readonly delivered: ReadonlyMap<string, string>;
}

/** The recipient-item attributes the resolver needs in a reader's projection. */
export const SEND_FACT_ATTRIBUTES = ['pk', 'sk', 'accountId', 'status', 'attempt', 'messageId', 'deliveredAt', 'reminderStatus', 'reminderAttempt'] as const;

const FIELDS = {
  notice: { status: 'status', attempt: 'attempt', lease: 'leaseUntil', messageId: 'messageId', at: 'sentAt' },
  reminder: { status: 'reminderStatus', attempt: 'reminderAttempt', lease: 'reminderLeaseUntil', messageId: 'reminderMessageId', at: 'reminderSentAt' },
} as const;
const KINDS: readonly Kind[] = ['notice', 'reminder'];

/** The campaign and shard of a recipient item's partition key (`CMP#<id>#R#<shard>`), if it is one. */
export const recipientPartitionOf = (pk: unknown): { campaignId: string; shard: number } | undefined => {
  const match = typeof pk === 'string' ? /^CMP#(.*)#R#(\d+)$/.exec(pk) : null;
  return match ? { campaignId: match[1]!, shard: Number(match[2]) } : undefined;
};

const accountOf = (item: Item): string => (typeof item['accountId'] === 'string' ? item['accountId'] : String(item['sk'] ?? '').replace(/^ACCT#/, ''));

/** The attempt of a call id (`<attempt>_<nnn>`). */
export const attemptOfCall = (callId: string): string => callId.slice(0, callId.lastIndexOf('_'));

const emptyFacts = (): { submitted: Map<Kind, Set<string>>; accepted: Map<Kind, Map<string, AcceptedEntry>>; delivered: Map<string, string> } => ({
  submitted: new Map(KINDS.map((kind) => [kind, new Set<string>()])),
  accepted: new Map(KINDS.map((kind) => [kind, new Map<string, AcceptedEntry>()])),
  delivered: new Map(),
});

/** Fold one call item or delivery log into `facts`. */
export const foldCallItem = (facts: ReturnType<typeof emptyFacts>, item: Item): void => {
  const sk = String(item['sk'] ?? '');
  if (sk.endsWith(DELIVERY_LOG_SUFFIX)) {
    for (const [name, value] of Object.entries(item)) {
      if (name.startsWith(DELIVERY_ATTRIBUTE_PREFIX) && typeof value === 'string') facts.delivered.set(name.slice(DELIVERY_ATTRIBUTE_PREFIX.length), value);
    }
    return;
  }
  const kind: Kind = item['kind'] === 'reminder' ? 'reminder' : 'notice';
  const submitted = item['submitted'];
  if (submitted instanceof Set) for (const accountId of submitted) facts.submitted.get(kind)!.add(String(accountId));
  const accepted = item['accepted'];
  if (accepted && typeof accepted === 'object') {
    for (const [accountId, entry] of Object.entries(accepted as Record<string, { m?: unknown; t?: unknown }>)) {
      if (typeof entry?.m === 'string' && typeof entry.t === 'string') facts.accepted.get(kind)!.set(accountId, { messageId: entry.m, at: entry.t });
    }
  }
};

/** Every call and delivery log of one attempt in one shard (one consistent query, paginated). */
export const loadAttemptFacts = async (table: Table, campaignId: string, shard: number, attemptId: string): Promise<AttemptFacts> => {
  const facts = emptyFacts();
  const prefix = attemptCallsPrefix(attemptId);
  let start: Item | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': campaignCallPk(campaignId, shard), ':prefix': prefix },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      // `a_1_000` begins with `a_` too: keep only this attempt's calls.
      if (attemptOfCall(String(item['sk']).replace(DELIVERY_LOG_SUFFIX, '')) === attemptId) foldCallItem(facts, item);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return facts;
};

/** The recipient item as its attempts' facts make it (a copy; the item itself when they add nothing). */
export const applySendFacts = (item: Item, factsOf: (attemptId: string) => AttemptFacts | undefined): Item => {
  const accountId = accountOf(item);
  let resolved: Item | undefined;
  for (const kind of KINDS) {
    const f = FIELDS[kind];
    const attempt = item[f.attempt];
    if (item[f.status] !== 'sending' || typeof attempt !== 'string') continue;
    const facts = factsOf(attempt);
    const entry = facts?.accepted.get(kind)?.get(accountId);
    if (!entry) continue;
    resolved ??= { ...item };
    resolved[f.status] = 'sent';
    resolved[f.messageId] = entry.messageId;
    resolved[f.at] = entry.at;
    delete resolved[f.lease];
    if (kind === 'notice' && resolved['deliveredAt'] === undefined) {
      const deliveredAt = facts!.delivered.get(accountId);
      if (deliveredAt !== undefined) {
        resolved['deliveredAt'] = deliveredAt;
        resolved['deliveredMessageId'] = entry.messageId;
      }
    }
  }
  return resolved ?? item;
};

/** Attempts whose facts the items need: those of a notice or reminder still `sending`. */
const neededAttempts = (items: readonly Item[]): Map<string, { campaignId: string; shard: number; attemptId: string }> => {
  const needed = new Map<string, { campaignId: string; shard: number; attemptId: string }>();
  for (const item of items) {
    const partition = recipientPartitionOf(item['pk']);
    if (!partition) continue;
    for (const kind of KINDS) {
      const attempt = item[FIELDS[kind].attempt];
      if (item[FIELDS[kind].status] === 'sending' && typeof attempt === 'string') {
        needed.set(`${partition.campaignId}\u0000${partition.shard}\u0000${attempt}`, { ...partition, attemptId: attempt });
      }
    }
  }
  return needed;
};

/** Attempts' facts read at once. */
const PARALLEL_READS = 8;

/**
 * The recipient items with their send facts (see the module comment), in the same order. Reads
 * one query per attempt still `sending` among them (the settled ones cost nothing).
 */
export const withSendFacts = async (table: Table, items: readonly Item[]): Promise<Item[]> => {
  const needed = [...neededAttempts(items)];
  if (needed.length === 0) return [...items];
  const loaded = new Map<string, AttemptFacts>();
  for (let offset = 0; offset < needed.length; offset += PARALLEL_READS) {
    await Promise.all(
      needed.slice(offset, offset + PARALLEL_READS).map(async ([key, { campaignId, shard, attemptId }]) => {
        loaded.set(key, await loadAttemptFacts(table, campaignId, shard, attemptId));
      }),
    );
  }
  return items.map((item) => {
    const partition = recipientPartitionOf(item['pk']);
    if (!partition) return item;
    return applySendFacts(item, (attemptId) => loaded.get(`${partition.campaignId}\u0000${partition.shard}\u0000${attemptId}`));
  });
};
