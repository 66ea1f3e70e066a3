/**
 * Exact counters after any crash: the send and outcome counters recounted from the recipient
 * items (the truth), and the difference to the sharded `CNT#` items written to one correction
 * item (`CNT#FIX`), which `snapshot` sums with the others. A crash between a recipient's
 * transition and its counter ADD under-counts by that transition until the next recount; the
 * recount writes one item, so it is itself crash-safe (run it again).
 *
 * Exact when no transition runs meanwhile (the local platform's start, the end of a run); run
 * while sending, a transition counted between the two reads shows up in the next recount. The
 * scheduler walks it as a sweep step (`recountStep` in `sweeps.ts`), a page at a time under the
 * invocation's time budget, the tally so far carried in the step's checkpoint.
 * Choice counters stay with the choice path (each choice is one conditional write plus its ADD).
 *
 * The audience too: the planner counts the accounts of each page in its checkpoint (`PLAN#`), the
 * late-enrolment step each recipient it creates (`CNT#`). An account the planner queued whose
 * message the sender had not yet handled when the late step enrolled it is counted by both; the
 * planner's claim (or, after the late email, a conditional write) marks that item `planned`, so the
 * truth is the plans' audience plus the late items not `planned`.
 */
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { AUDIENCE_SHARDS } from '../../ledger/types.ts';
import { type Campaign, type CounterName, campaignRegion } from '../model.ts';
import type { CounterRecount } from '../ports.ts';
import { campaignPk, recipientPk } from './keys.ts';

interface Table {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** The counters a recount owns: each derived from one attribute of the recipient items. */
export const RECOUNTED = ['sent', 'informational', 'reminded', 'delivered', 'bounced', 'complained', 'failed'] as const satisfies readonly CounterName[];
type Recounted = (typeof RECOUNTED)[number] | 'audience';
export type Tally = Record<Recounted, number>;
const TALLIED = [...RECOUNTED, 'audience'] as const;

export const FIX_SK = 'CNT#FIX';

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

const RECIPIENT_PROJECTION = {
  expression: '#region, #status, reminderStatus, deliveredAt, bouncedAt, complainedAt, failedAt, late, planned',
  names: { '#region': 'region', '#status': 'status' },
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
};

/** What the recipient items say the counters are (every shard in one go: the local platform's start, tests). */
export const countRecipients = async (table: Table, campaign: Campaign): Promise<Tally> => {
  const truth = zero();
  for (let shard = 0; shard < AUDIENCE_SHARDS; shard++) {
    for (const item of await queryAll(table, recipientPk(campaign.campaignId, shard), RECIPIENT_PROJECTION)) tallyInto(truth, campaign, item);
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
      ProjectionExpression: `pk, sk, ${RECIPIENT_PROJECTION.expression}`,
      ExpressionAttributeNames: RECIPIENT_PROJECTION.names,
    }),
  );
  const next = { ...zero(), ...tally };
  for (const item of page.Items ?? []) tallyInto(next, campaign, item);
  return page.LastEvaluatedKey ? { tally: next, next: page.LastEvaluatedKey } : { tally: next };
};

/** The counters as the `CNT#` items other than the correction say, and the audience the plans counted. */
const counted = async (table: Table, campaign: Campaign): Promise<{ tally: Tally; audience: number; plansDone: number; fix: Tally }> => {
  const tally = zero();
  const fix = zero();
  let audience = 0;
  let plansDone = 0;
  for (const item of await queryAll(table, campaignPk(campaign.campaignId))) {
    const sk = String(item['sk']);
    if (sk.startsWith('PLAN#')) {
      audience += Number(item['audience'] ?? 0);
      if (item['done'] === true) plansDone++;
    }
    if (!sk.startsWith('CNT#')) continue;
    for (const name of TALLIED) if (typeof item[name] === 'number') (sk === FIX_SK ? fix : tally)[name] += item[name] as number;
  }
  return { tally, audience, plansDone, fix };
};

/**
 * Whether a campaign's counts do not add up: its plans are done but its sends and failures fall
 * short of its audience (what a lost count looks like: it would stay `sending` forever). One query
 * of the campaign's own partition.
 */
export const isUnsettled = async (table: Table, campaign: Campaign): Promise<boolean> => {
  const { tally, audience, plansDone, fix } = await counted(table, campaign);
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

/** Write the correction that makes the counters say `truth`; answers it. One Put: running it again is safe. */
export const correctCounters = async (table: Table, campaign: Campaign, truth: Readonly<Tally>): Promise<Tally> => {
  const { tally: counted_ } = await counted(table, campaign);
  const fix = zero();
  for (const name of TALLIED) fix[name] = (truth[name] ?? 0) - counted_[name];
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: { pk: campaignPk(campaign.campaignId), sk: FIX_SK, ...fix } }));
  return fix;
};

/** Recount and correct; answers the correction now in place (0 everywhere when the counters were exact). */
export const reconcileCounters = async (table: Table, campaign: Campaign): Promise<Tally> => correctCounters(table, campaign, await countRecipients(table, campaign));

/** The recount as the scheduler's step uses it (`CounterRecount` in ports.ts). */
export const dynamoDbCounterRecount = (table: Table): CounterRecount => ({
  unsettled: (campaign) => isUnsettled(table, campaign),
  tallyPage: (campaign, shard, tally, start, limit) => tallyRecipientPage(table, campaign, shard, { ...zero(), ...tally }, start, limit),
  correct: (campaign, truth) => correctCounters(table, campaign, { ...zero(), ...truth }),
});
