/**
 * Exact counters after any crash: the send and outcome counters recounted from the recipient
 * items with their send facts (the truth: `functions/ledger/send-facts.ts`), and the difference to the sharded `CNT#` items written to one correction
 * item (`CNT#FIX`), which `snapshot` sums with the others. A crash between a recipient's
 * transition and its counter ADD under-counts by that transition until the next recount; the
 * recount writes one item, so it is itself crash-safe (run it again).
 *
 * Exact when no transition runs meanwhile (the local platform's start, the end of a run); run
 * while sending, a transition counted between the two reads shows up in the next recount. The
 * scheduler walks it as a sweep step (`recountStep` in `sweeps.ts`), a page at a time under the
 * invocation's time budget, the tally so far carried in the step's checkpoint.
 * Choice counters too: a recipient's `choice` mark is monotonic by the choice's `seq` and every
 * settle of a choice (the writer's, a roll-forward, the outbox drain's repair) writes it, so it
 * converges on the newest evidence; the ADD is made once, by whoever moves the state, and a crash
 * between the state and the ADD loses it. Every repair the drain makes therefore first flags the
 * campaign (`RECOUNT#DUE`), and a flagged campaign is recounted like an unsettled one.
 *
 * A walk that saw counters move, or a flag newer than its start, while it ran may be off by what
 * moved: it still corrects, and flags the campaign again, so the next run repeats it; the counters
 * are exact after the first walk during which nothing moved.
 *
 * The audience too: the planner counts the accounts of each page in its checkpoint (`PLAN#`), the
 * late-enrolment step each recipient it creates (`CNT#`). An account the planner queued whose
 * message the sender had not yet handled when the late step enrolled it is counted by both; the
 * planner's claim (or, after the late email, a conditional write) marks that item `planned`, so the
 * truth is the plans' audience plus the late items not `planned`.
 */
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CHOICE_COUNTERS, choiceOption, isChoiceOption } from '../../core/choice-options.ts';
import { isConditionFailure } from '../../ledger/dynamo-batch.ts';
import { withSendFacts } from '../../ledger/send-facts.ts';
import { AUDIENCE_SHARDS } from '../../ledger/types.ts';
import { type Campaign, type CounterName, campaignRegion } from '../model.ts';
import type { CounterRecount } from '../ports.ts';
import { campaignPk, recipientPk } from './keys.ts';

interface Table {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** The counters a recount owns: each derived from one attribute of the recipient items. */
export const RECOUNTED = [
  'sent',
  'informational',
  'reminded',
  'delivered',
  'bounced',
  'complained',
  'failed',
  ...CHOICE_COUNTERS,
  'defaulted',
] as const satisfies readonly CounterName[];
type Recounted = (typeof RECOUNTED)[number] | 'audience';
export type Tally = Record<Recounted, number>;
const TALLIED = [...RECOUNTED, 'audience'] as const;

export const FIX_SK = 'CNT#FIX';
/** The flag of a campaign whose counters a repair may have left short (its `at`: when it was raised). */
export const RECOUNT_DUE_SK = 'RECOUNT#DUE';

const zero = (): Tally => Object.fromEntries(TALLIED.map((name) => [name, 0])) as Tally;

const queryAll = async (table: Table, pk: string, projection?: { expression: string; names: Record<string, string> }): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
        ExclusiveStartKey: start,
        ...(projection ? { ProjectionExpression: projection.expression, ExpressionAttributeNames: projection.names } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
};

/** What the tally reads of a recipient item, with what its send facts need (`withSendFacts`). */
const RECIPIENT_PROJECTION = {
  expression: 'pk, sk, accountId, #region, #status, #attempt, reminderStatus, reminderAttempt, messageId, deliveredAt, bouncedAt, complainedAt, failedAt, late, planned, #choice, choiceDefaulted',
  names: { '#region': 'region', '#status': 'status', '#choice': 'choice', '#attempt': 'attempt' },
};

/** Add what one recipient item says to `truth` (`audience`: the late enrolees the planner did not count). */
const tallyInto = (truth: Tally, campaign: Campaign, item: Record<string, unknown>): void => {
  if (item['status'] === 'sent') {
    truth.sent++;
    if (campaignRegion(campaign, item['region'] as string | undefined)?.notification === 'informational') truth.informational++;
  }
  if (item['reminderStatus'] === 'sent') truth.reminded++;
  if (item['deliveredAt'] !== undefined) truth.delivered++;
  if (item['bouncedAt'] !== undefined) truth.bounced++;
  if (item['complainedAt'] !== undefined) truth.complained++;
  // A sender's `failed` mark and an SES Reject both set `failedAt`, once (each is conditional on it).
  if (item['failedAt'] !== undefined) truth.failed++;
  if (item['late'] === true && item['planned'] !== true) truth.audience++;
  // The choice in force: a default counts as `defaulted` only, a customer's choice under its option (`counterDeltas`).
  const choice = item['choice'];
  if (item['choiceDefaulted'] === true) truth.defaulted++;
  else if (isChoiceOption(choice)) truth[choiceOption(choice).counter]++;
};

/** What the recipient items say the counters are (every shard in one go: the local platform's start, tests). */
export const countRecipients = async (table: Table, campaign: Campaign): Promise<Tally> => {
  const truth = zero();
  for (let shard = 0; shard < AUDIENCE_SHARDS; shard++) {
    for (const item of await withSendFacts(table, await queryAll(table, recipientPk(campaign.campaignId, shard), RECIPIENT_PROJECTION))) tallyInto(truth, campaign, item);
  }
  return truth;
};

/**
 * One page (≤ `limit` items) of one recipient shard, added to `tally` (a copy is answered), and
 * the key to continue the shard from, if any: the scheduler's recount step walks a campaign this
 * way under its time budget, carrying the tally in its checkpoint.
 */
export const tallyRecipientPage = async (
  table: Table,
  campaign: Campaign,
  shard: number,
  tally: Readonly<Tally>,
  start: Record<string, unknown> | undefined,
  limit: number,
): Promise<{ tally: Tally; next?: Record<string, unknown> }> => {
  const page = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': recipientPk(campaign.campaignId, shard) },
      ConsistentRead: true,
      ExclusiveStartKey: start,
      Limit: limit,
      ProjectionExpression: RECIPIENT_PROJECTION.expression,
      ExpressionAttributeNames: RECIPIENT_PROJECTION.names,
    }),
  );
  const next = { ...zero(), ...tally };
  for (const item of await withSendFacts(table, page.Items ?? [])) tallyInto(next, campaign, item);
  return page.LastEvaluatedKey ? { tally: next, next: page.LastEvaluatedKey } : { tally: next };
};

/** The counters as the `CNT#` items other than the correction say, and the audience the plans counted. */
const counted = async (table: Table, campaign: Campaign): Promise<{ tally: Tally; audience: number; plansDone: number; fix: Tally; dueAt?: string }> => {
  const tally = zero();
  const fix = zero();
  let audience = 0;
  let plansDone = 0;
  let dueAt: string | undefined;
  for (const item of await queryAll(table, campaignPk(campaign.campaignId))) {
    const sk = String(item['sk']);
    if (sk === RECOUNT_DUE_SK) dueAt = String(item['at']);
    if (sk.startsWith('PLAN#')) {
      audience += Number(item['audience'] ?? 0);
      if (item['done'] === true) plansDone++;
    }
    if (!sk.startsWith('CNT#')) continue;
    for (const name of TALLIED) if (typeof item[name] === 'number') (sk === FIX_SK ? fix : tally)[name] += item[name] as number;
  }
  return { tally, audience, plansDone, fix, ...(dueAt ? { dueAt } : {}) };
};

/** The counters as the `CNT#` items other than the correction say them now: what a walk compares at its end. */
export const countedNow = async (table: Table, campaign: Campaign): Promise<Tally> => (await counted(table, campaign)).tally;

/** Flag a campaign for a recount (`RECOUNT#DUE`, one Put): a repair is about to move state its counters may have missed. */
export const flagRecount = async (table: Table, campaignId: string, at: string): Promise<void> => {
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: { pk: campaignPk(campaignId), sk: RECOUNT_DUE_SK, at } }));
};

/**
 * Whether a campaign's counts do not add up: its plans are done but its sends and failures fall
 * short of its audience (what a lost count looks like: it would stay `sending` forever). One query
 * of the campaign's own partition.
 */
export const isUnsettled = async (table: Table, campaign: Campaign): Promise<boolean> => {
  const { tally, audience, plansDone, fix, dueAt } = await counted(table, campaign);
  if (dueAt) return true;
  if (plansDone < campaign.regions.length * AUDIENCE_SHARDS) return false;
  // Settled when the sends and failures make up the whole audience (the late enrolees' included).
  return tally.sent + fix.sent + tally.failed + fix.failed !== audience + tally.audience + fix.audience;
};

/**
 * Recount a campaign that `isUnsettled` in one walk (a settled one costs one query of its own
 * partition); a campaign still sending is recounted too (its next run corrects what moved
 * meanwhile). Answers whether it recounted.
 */
export const recountIfUnsettled = async (table: Table, campaign: Campaign): Promise<boolean> => {
  if (!(await isUnsettled(table, campaign))) return false;
  await reconcileCounters(table, campaign);
  return true;
};

/** Where a walk started: the counters then, and when (a flag raised later is not settled by it). */
export interface WalkStart {
  readonly before: Readonly<Record<string, number>>;
  readonly startedAt: string;
}

/**
 * Write the correction that makes the counters say `truth`; answers it. One Put: running it again
 * is safe. With the walk's `start`: when the counters moved since, or a flag was raised after it,
 * the campaign is flagged again (the next run repeats the walk); else its flag, if any, is cleared.
 */
export const correctCounters = async (table: Table, campaign: Campaign, truth: Readonly<Tally>, start?: WalkStart, now?: string): Promise<Tally> => {
  const { tally: counted_, dueAt } = await counted(table, campaign);
  const fix = zero();
  for (const name of TALLIED) fix[name] = (truth[name] ?? 0) - counted_[name];
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: { pk: campaignPk(campaign.campaignId), sk: FIX_SK, ...fix } }));
  if (!start) return fix;
  const moved = TALLIED.some((name) => (start.before[name] ?? 0) !== counted_[name]);
  if (moved) await flagRecount(table, campaign.campaignId, now ?? start.startedAt);
  else if (dueAt) await clearFlag(table, campaign.campaignId, start.startedAt);
  return fix;
};

/** Remove the flag unless it was raised after `startedAt` (a repair during the walk keeps it). */
const clearFlag = async (table: Table, campaignId: string, startedAt: string): Promise<void> => {
  try {
    await table.client.send(
      new DeleteCommand({
        TableName: table.tableName,
        Key: { pk: campaignPk(campaignId), sk: RECOUNT_DUE_SK },
        ConditionExpression: '#at <= :startedAt',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':startedAt': startedAt },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
};

/** Recount and correct; answers the correction now in place (0 everywhere when the counters were exact). */
export const reconcileCounters = async (table: Table, campaign: Campaign, at = new Date().toISOString()): Promise<Tally> => {
  const start: WalkStart = { before: await countedNow(table, campaign), startedAt: at };
  return correctCounters(table, campaign, await countRecipients(table, campaign), start, at);
};

/** The recount as the scheduler's step uses it (`CounterRecount` in ports.ts). */
export const dynamoDbCounterRecount = (table: Table): CounterRecount => ({
  unsettled: (campaign) => isUnsettled(table, campaign),
  flag: (campaignId, at) => flagRecount(table, campaignId, at),
  counted: (campaign) => countedNow(table, campaign),
  tallyPage: (campaign, shard, tally, start, limit) => tallyRecipientPage(table, campaign, shard, { ...zero(), ...tally }, start, limit),
  correct: (campaign, truth, start, now) => correctCounters(table, campaign, { ...zero(), ...truth }, start, now),
});
