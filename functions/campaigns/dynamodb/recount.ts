/**
 * Exact counters after any crash: the send and outcome counters recounted from the recipient
 * items (the truth), and the difference to the sharded `CNT#` items written to one correction
 * item (`CNT#FIX`), which `snapshot` sums with the others. A crash between a recipient's
 * transition and its counter ADD under-counts by that transition until the next recount; the
 * recount writes one item, so it is itself crash-safe (run it again).
 *
 * Exact when no transition runs meanwhile (the local platform's start, the end of a run); run
 * while sending, a transition counted between the two reads shows up in the next recount.
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
import { campaignPk, recipientPk } from './keys.ts';

interface Table {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** The counters a recount owns: each derived from one attribute of the recipient items. */
export const RECOUNTED = ['sent', 'informational', 'reminded', 'delivered', 'bounced', 'complained', 'failed'] as const satisfies readonly CounterName[];
type Recounted = (typeof RECOUNTED)[number] | 'audience';
type Tally = Record<Recounted, number>;
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

/** What the recipient items say the counters are (`audience`: the late enrolees the planner did not count). */
export const countRecipients = async (table: Table, campaign: Campaign): Promise<Tally> => {
  const truth = zero();
  const projection = {
    expression: '#region, #status, reminderStatus, deliveredAt, bouncedAt, complainedAt, failedAt, late, planned',
    names: { '#region': 'region', '#status': 'status' },
  };
  for (let shard = 0; shard < AUDIENCE_SHARDS; shard++) {
    for (const item of await queryAll(table, recipientPk(campaign.campaignId, shard), projection)) {
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
    }
  }
  return truth;
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
 * The scheduler's step: recount a campaign whose plans are done but whose sends and failures do
 * not add up to its audience (what a lost count looks like: it would stay `sending` forever). A
 * settled campaign costs one query of its own partition; a campaign still sending is recounted
 * too (its next run corrects what moved meanwhile). Answers whether it recounted.
 */
export const recountIfUnsettled = async (table: Table, campaign: Campaign): Promise<boolean> => {
  const { tally, audience, plansDone, fix } = await counted(table, campaign);
  if (plansDone < campaign.regions.length * AUDIENCE_SHARDS) return false;
  // Settled when the sends and failures make up the whole audience (the late enrolees' included).
  if (tally.sent + fix.sent + tally.failed + fix.failed === audience + tally.audience + fix.audience) return false;
  await reconcileCounters(table, campaign);
  return true;
};

/** Recount and correct; answers the correction now in place (0 everywhere when the counters were exact). */
export const reconcileCounters = async (table: Table, campaign: Campaign): Promise<Tally> => {
  const truth = await countRecipients(table, campaign);
  const { tally: counted_ } = await counted(table, campaign);
  const fix = zero();
  for (const name of TALLIED) fix[name] = truth[name] - counted_[name];
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: { pk: campaignPk(campaign.campaignId), sk: FIX_SK, ...fix } }));
  return fix;
};
