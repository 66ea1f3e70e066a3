/**
 * The campaign use cases behind the admin API: dry run (audience per region and language, and a
 * sample email), start (idempotent, one campaign per notice version, fans out planner messages),
 * and progress (the counters summed).
 */
import pLimit from 'p-limit';
import type { ChoiceOption, ContentIndex } from '../core/content.ts';
import { type AudiencePlan, type RegionNotification, campaignIdFor, planAudience } from '../core/audience.ts';
import { CHOICE_COUNTERS, type ChoiceField, optionLinks, perOptionField } from '../core/choice-options.ts';
import { escapeHtml } from '../core/html.ts';
import type { Clock } from '../core/clock.ts';
import { type Conflict, ConflictError, NotFoundError, NotReadyError, UnprocessableError } from '../core/errors.ts';
import { AUDIENCE_SHARDS } from '../ledger/types.ts';
import type { PlannerMessage } from './messages.ts';
import { type Campaign, type RunStatus, runStatusOf } from './model.ts';
import type { AudienceSource, CampaignStore, Queue } from './ports.ts';
import { type EmailKind, type RenderCampaignEmail } from './send-email.ts';
import { type ReadinessReport, readinessSummary } from './ses-readiness.ts';

export interface CampaignServiceDeps {
  readonly store: Pick<CampaignStore, 'getCampaign' | 'createCampaign' | 'markStarted' | 'snapshot'>;
  readonly audience: AudienceSource;
  readonly plannerQueue: Queue<PlannerMessage>;
  readonly content: ContentIndex;
  readonly renderEmail: RenderCampaignEmail;
  readonly publicBaseUrl: string;
  readonly clock: Clock;
  /** Informational emails for material changes that need no choice, unless a request says otherwise. @default false */
  readonly informationalByDefault?: boolean;
  /** SES readiness (`ses-readiness.ts`), checked by a dry run and before a new campaign starts. @default not checked */
  readonly readiness?: () => Promise<ReadinessReport>;
}

/** Refuse, naming every failed check, when SES is not ready to send. */
const requireSesReady = async (deps: CampaignServiceDeps): Promise<void> => {
  if (!deps.readiness) return;
  const report = await deps.readiness();
  if (report.ready) return;
  throw new NotReadyError(
    `SES is not ready to send this campaign: ${readinessSummary(report)}`,
    report.checks.filter((check) => !check.ok).map(({ check, detail }) => ({ check, detail })),
  );
};

export interface StartRequest {
  readonly noticeId: string;
  readonly version: number;
  readonly deadline?: string | undefined;
  readonly informational?: boolean | undefined;
}

export interface AudienceCount {
  readonly region: string;
  readonly language: string;
  readonly count: number;
}

export interface DryRunResult {
  readonly dryRun: true;
  readonly noticeId: string;
  readonly version: number;
  readonly notificationNeeded: boolean;
  readonly reason?: string;
  readonly deadline: string;
  readonly regions: { region: string; notification: RegionNotification; options: ChoiceOption[] }[];
  readonly audience: { total: number; byRegion: AudienceCount[] };
  readonly sampleEmail?: { region: string; language: string; kind: EmailKind; subject: string; html: string; text: string };
}

export interface CampaignProgress {
  readonly campaignId: string;
  readonly noticeId: string;
  readonly version: number;
  readonly deadline: string;
  /** `paused`/`blocked` (the run state) win over where the sending is. */
  readonly status: 'created' | 'planning' | 'sending' | 'sent' | 'paused' | 'blocked';
  /** The run state: `running`, or `paused`/`blocked` with since when and why. */
  readonly run: { readonly status: RunStatus; readonly at?: string; readonly reason?: string };
  readonly createdAt: string;
  readonly regions: Campaign['regions'];
  readonly audience: number;
  readonly sent: number;
  readonly delivered: number;
  readonly bounced: number;
  /** Bounces by SES bounce type. */
  readonly bouncedByType: { readonly permanent: number; readonly transient: number; readonly undetermined: number };
  readonly complained: number;
  readonly failed: number;
  readonly reminded: number;
  readonly choices: Readonly<Record<ChoiceField, number>>;
  readonly defaulted: number;
  readonly pending: { sends: number; choices: number };
}

const SAMPLE_TOKEN = 'sample-token-not-valid';

const planFor = (deps: CampaignServiceDeps, request: StartRequest): AudiencePlan =>
  planAudience(deps.content, request.noticeId, request.version, { informational: request.informational ?? deps.informationalByDefault ?? false });

const checkDeadline = (deps: CampaignServiceDeps, deadline: string): string => {
  const at = Date.parse(deadline);
  if (Number.isNaN(at)) throw new UnprocessableError('the deadline is not a valid instant');
  if (at <= deps.clock.now().getTime()) throw new UnprocessableError('the deadline has already passed');
  return new Date(at).toISOString();
};

/** Count the audience of every notified region, per language, by paging the audience index. */
const countAudience = async (deps: CampaignServiceDeps, plan: AudiencePlan): Promise<AudienceCount[]> => {
  const counts = new Map<string, number>();
  const limit = pLimit(8);
  await Promise.all(
    plan.regions.flatMap(({ region }) =>
      Array.from({ length: AUDIENCE_SHARDS }, (_, shard) =>
        limit(async () => {
          let cursor: string | undefined;
          do {
            const page = await deps.audience.queryAudience({ noticeId: plan.noticeId, region, shard, belowVersion: plan.version, limit: 1000, ...(cursor ? { cursor } : {}) });
            for (const member of page.members) {
              const key = `${region}\u0000${member.language}`;
              counts.set(key, (counts.get(key) ?? 0) + 1);
            }
            cursor = page.cursor;
          } while (cursor);
        }),
      ),
    ),
  );
  const order = plan.regions.map((r) => r.region);
  return [...counts]
    .map(([key, count]) => {
      const [region, language] = key.split('\u0000') as [string, string];
      return { region, language, count };
    })
    .sort((a, b) => order.indexOf(a.region) - order.indexOf(b.region) || a.language.localeCompare(b.language));
};

/** Fill the per-recipient placeholders of a template with sample links, as the sender would. */
const fillSample = (template: string, publicBaseUrl: string): string => {
  const choiceUrl = `${publicBaseUrl.replace(/\/$/, '')}/choices/${SAMPLE_TOKEN}`;
  const values: Record<string, string> = { choiceUrl, ...optionLinks(choiceUrl) };
  const placeholders = new RegExp(`\\{\\{\\{?\\s*(${Object.keys(values).join('|')})\\s*\\}?\\}\\}`, 'g');
  return template.replace(placeholders, (_, name: string) => escapeHtml(values[name]!));
};

/** What a campaign for this version would do, without doing it. */
export const dryRunCampaign = async (deps: CampaignServiceDeps, request: StartRequest): Promise<DryRunResult> => {
  const plan = planFor(deps, request);
  const deadline = request.deadline ? checkDeadline(deps, request.deadline) : plan.defaultDeadline;
  const regions = plan.regions.map(({ region, notification, options }) => ({ region, notification, options: [...options] }));
  if (plan.regions.length === 0) {
    return {
      dryRun: true,
      noticeId: plan.noticeId,
      version: plan.version,
      notificationNeeded: false,
      reason: `version ${plan.version} declares no material change that needs a notification${request.informational ? '' : ' with a choice'}`,
      deadline,
      regions,
      audience: { total: 0, byRegion: [] },
    };
  }
  await requireSesReady(deps);
  const byRegion = await countAudience(deps, plan);
  const first = plan.regions[0]!;
  const notice = deps.content.notices.find((n) => n.noticeId === plan.noticeId)!;
  const language = byRegion.find((c) => c.region === first.region)?.language ?? notice.defaultLanguage;
  const kind: EmailKind = first.notification === 'informational' ? 'informational' : 'choice';
  const template = deps.renderEmail({
    content: deps.content,
    noticeId: plan.noticeId,
    version: plan.version,
    region: first.region,
    language,
    kind,
    deadline,
    publicBaseUrl: deps.publicBaseUrl,
  });
  return {
    dryRun: true,
    noticeId: plan.noticeId,
    version: plan.version,
    notificationNeeded: true,
    deadline,
    regions,
    audience: { total: byRegion.reduce((sum, c) => sum + c.count, 0), byRegion },
    sampleEmail: {
      region: first.region,
      language,
      kind,
      subject: fillSample(template.subject, deps.publicBaseUrl),
      html: fillSample(template.html, deps.publicBaseUrl),
      text: fillSample(template.text, deps.publicBaseUrl),
    },
  };
};

/** A start for an existing campaign must ask for what it has (a parameter not given asks for nothing). */
const refuseDrift = (campaign: Campaign, requestedDeadline: string | undefined, plan: AudiencePlan): void => {
  const conflicts: Conflict[] = [];
  if (requestedDeadline !== undefined && requestedDeadline !== campaign.deadline) {
    conflicts.push({ field: 'deadline', requested: requestedDeadline, existing: campaign.deadline });
  }
  const regions = (list: readonly { region: string; notification: string }[]) => list.map((r) => `${r.region}:${r.notification}`).sort().join(',');
  if (regions(plan.regions) !== regions(campaign.regions)) {
    conflicts.push({ field: 'regions', requested: plan.regions.map((r) => `${r.region}:${r.notification}`), existing: campaign.regions.map((r) => `${r.region}:${r.notification}`) });
  }
  if (conflicts.length > 0) {
    throw new ConflictError(`campaign ${campaign.campaignId} already exists with other parameters (${conflicts.map((c) => c.field).join(', ')})`, conflicts);
  }
};

/** Start the campaign of a notice version (idempotent); `created` false when it already existed. */
export const startCampaign = async (deps: CampaignServiceDeps, request: StartRequest): Promise<{ created: boolean; progress: CampaignProgress }> => {
  const plan = planFor(deps, request);
  if (plan.regions.length === 0) {
    throw new UnprocessableError(`version ${plan.version} of ${plan.noticeId} needs no notification`);
  }
  const campaignId = campaignIdFor(plan.noticeId, plan.version);
  const existing = await deps.store.getCampaign(campaignId);
  let created = false;
  let campaign = existing;
  const requestedDeadline = request.deadline ? checkDeadline(deps, request.deadline) : undefined;
  if (!campaign) {
    await requireSesReady(deps);
    const deadline = request.deadline ? checkDeadline(deps, request.deadline) : checkDeadline(deps, plan.defaultDeadline);
    const outcome = await deps.store.createCampaign({
      campaignId,
      noticeId: plan.noticeId,
      version: plan.version,
      deadline,
      regions: plan.regions.map(({ region, notification, options }) => ({ region, notification, options: [...options] })),
      createdAt: deps.clock.now().toISOString(),
      status: 'created',
    });
    created = outcome.created;
    campaign = outcome.campaign;
  }
  if (!created) refuseDrift(campaign, requestedDeadline, plan);
  if (campaign.status === 'created') {
    // Also re-run after a crash between create and start: planner messages are idempotent.
    const messages = campaign.regions.flatMap(({ region }) => Array.from({ length: AUDIENCE_SHARDS }, (_, shard) => ({ campaignId, region, shard })));
    await deps.plannerQueue.send(messages);
    await deps.store.markStarted(campaignId, deps.clock.now().toISOString());
  }
  return { created, progress: await campaignProgress(deps, campaignId) };
};

/** The campaign's progress, or `NotFoundError`. */
export const campaignProgress = async (deps: { readonly store: Pick<CampaignStore, 'snapshot'> }, campaignId: string): Promise<CampaignProgress> => {
  const snapshot = await deps.store.snapshot(campaignId);
  if (!snapshot) throw new NotFoundError(`campaign ${campaignId} does not exist`);
  const { campaign, counters: c } = snapshot;
  const chosen = CHOICE_COUNTERS.reduce((sum, counter) => sum + c[counter], 0);
  const choiceSent = c.sent - c.informational;
  const run = runStatusOf(campaign);
  const status =
    campaign.status === 'created' ? 'created' : run !== 'running' ? run : snapshot.plansDone < snapshot.plansTotal ? 'planning' : c.sent + c.failed < c.audience ? 'sending' : 'sent';
  return {
    campaignId: campaign.campaignId,
    noticeId: campaign.noticeId,
    version: campaign.version,
    deadline: campaign.deadline,
    status,
    run: campaign.run ?? { status: 'running' },
    createdAt: campaign.createdAt,
    regions: campaign.regions,
    audience: c.audience,
    sent: c.sent,
    delivered: c.delivered,
    bounced: c.bounced,
    bouncedByType: { permanent: c.bouncedPermanent, transient: c.bouncedTransient, undetermined: c.bouncedUndetermined },
    complained: c.complained,
    failed: c.failed,
    reminded: c.reminded,
    choices: perOptionField((option) => c[option.counter]),
    defaulted: c.defaulted,
    pending: { sends: Math.max(0, c.audience - c.sent - c.failed), choices: Math.max(0, choiceSent - chosen - c.defaulted) },
  };
};
