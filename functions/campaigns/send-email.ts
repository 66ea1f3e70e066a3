/**
 * What one sender email looks like: its kind, its template (rendered once per campaign, kind,
 * region and language) and each destination's links and SES tags. Pure but for the template cache.
 */
import type { ContentIndex } from '../core/content.ts';
import { optionLinks } from '../core/choice-options.ts';
import { escapeHtml } from '../core/html.ts';
import { SES_TAGS, encodeTagValue } from './ses-tags.ts';
import { campaignRegion } from './model.ts';
import type { BulkDestination, BulkTemplate } from './ports.ts';
import type { Recipient } from './send-recipients.ts';

export type EmailKind = 'choice' | 'reminder' | 'informational';

/** The email renderer (`functions/campaigns/email.ts`). */
export type RenderCampaignEmail = (input: {
  content: ContentIndex;
  noticeId: string;
  version: number;
  region: string;
  language: string;
  kind: EmailKind;
  deadline: string;
  publicBaseUrl: string;
}) => BulkTemplate;

/** What building an email needs of the sender's dependencies. */
export interface EmailDeps {
  readonly content: ContentIndex;
  readonly renderEmail: RenderCampaignEmail;
  /** Signs a choice token (`functions/core/tokens.ts` with the key from the `TokenKeyProvider`). */
  readonly signChoiceToken: (claims: { campaignId: string; accountId: string; expiresAt: string }) => Promise<string>;
  readonly publicBaseUrl: string;
}

/** A reminder, an informational notice, or a notice with a choice. */
export const emailKindOf = (recipient: Recipient): EmailKind => {
  if (recipient.kind === 'reminder') return 'reminder';
  return campaignRegion(recipient.campaign, recipient.region)?.notification === 'informational' ? 'informational' : 'choice';
};

const templateCache = new Map<string, BulkTemplate>();

/** The template of a recipient's email, rendered once per campaign, kind, region and language. */
export const templateFor = (deps: EmailDeps, recipient: Recipient, kind: EmailKind): BulkTemplate => {
  const { campaign } = recipient;
  const deadline = recipient.deadline ?? campaign.deadline;
  const key = `${campaign.campaignId}|${kind}|${recipient.region}|${recipient.language}|${deadline}|${deps.publicBaseUrl}`;
  let template = templateCache.get(key);
  if (!template) {
    template = deps.renderEmail({
      content: deps.content,
      noticeId: campaign.noticeId,
      version: campaign.version,
      region: recipient.region,
      language: recipient.language,
      kind,
      deadline,
      publicBaseUrl: deps.publicBaseUrl,
    });
    if (templateCache.size > 200) templateCache.clear();
    templateCache.set(key, template);
  }
  return template;
};

/** One destination: the address, its token links (escaped) and the tags the SES events come back with. */
export const destinationFor = async (deps: EmailDeps, recipient: Recipient, kind: EmailKind): Promise<BulkDestination> => {
  const data: Record<string, string> = {};
  if (kind !== 'informational') {
    const token = await deps.signChoiceToken({
      campaignId: recipient.campaign.campaignId,
      accountId: recipient.accountId,
      expiresAt: recipient.deadline ?? recipient.campaign.deadline,
    });
    const choiceUrl = `${deps.publicBaseUrl.replace(/\/$/, '')}/choices/${encodeURIComponent(token)}`;
    // Escaped here: SES substitutes template data raw into the HTML part.
    data['choiceUrl'] = escapeHtml(choiceUrl);
    const offered = recipient.campaign.regions.find((r) => r.region === recipient.region)?.options ?? [];
    for (const [name, link] of Object.entries(optionLinks(choiceUrl, offered))) data[name] = escapeHtml(link);
  }
  return {
    to: recipient.email!,
    replacementData: data,
    tags: {
      [SES_TAGS.campaign]: recipient.campaign.campaignId,
      [SES_TAGS.account]: encodeTagValue(recipient.accountId),
      [SES_TAGS.kind]: recipient.kind,
    },
  };
};
