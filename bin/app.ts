#!/usr/bin/env -S npx tsx
/**
 * The CDK app: the only place that reads context and `process.env` for synth. It builds the
 * content first (the notice Lambda bundles `.build/content.json`, the others the slim
 * `.build/content-index.json` and `.build/templates.json`; the CloudFront Function is generated
 * from its catalogue) and passes everything down as props.
 *
 *   npx cdk synth                                # development: placeholder sender, no alarm destination needed
 *   npx cdk deploy -c stage=production           # the stage's settings from the `stages` context of cdk.json
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { CompiledContent } from '../functions/core/content.ts';
import { platformContentOf } from '../lib/disclosure-platform.ts';
import { DisclosureStack } from '../lib/disclosure-stack.ts';
import { PLACEHOLDER_SENDER } from '../lib/disclosure-platform-props.ts';
import { DisclosureEdgeAlarmsStack, CLOUDFRONT_METRICS_REGION } from '../lib/edge-alarms-stack.ts';
import { edgeAlarmPlacement, environmentNameOf, platformPropsFromSettings, stageSettingsOf, type SettingName } from '../lib/platform-settings.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const ARTIFACT = path.join(ROOT, '.build', 'content.json');

/** Builds `templates/` into the artifact (failing on invalid content); falls back to an existing artifact. */
const loadContent = async (): Promise<CompiledContent> => {
  const buildModule = path.join(ROOT, 'compiler', 'build.ts');
  if (existsSync(buildModule)) {
    const { buildContent, buildRenderTemplates, contentIndexOf, writeContentArtifact } = (await import(buildModule)) as typeof import('../compiler/build.ts');
    const templatesDir = path.join(ROOT, 'templates');
    // Drafts (versions without a publication lock) are never deployed.
    const content = buildContent({ templatesDir, drafts: 'exclude' });
    writeContentArtifact(content, ARTIFACT);
    // What the Lambdas other than notices bundle: they must exist before NodejsFunction bundles.
    writeContentArtifact(contentIndexOf(content), path.join(ROOT, '.build', 'content-index.json'));
    writeContentArtifact(buildRenderTemplates({ templatesDir }), path.join(ROOT, '.build', 'templates.json'));
    return content;
  }
  return JSON.parse(readFileSync(ARTIFACT, 'utf8')) as CompiledContent;
};

const app = new App();
/** A setting from `-c name=value`, else `DISCLOSURE_<NAME>` in the environment. */
const override = (name: SettingName): string | undefined => {
  const fromContext: unknown = app.node.tryGetContext(name);
  if (fromContext !== undefined && fromContext !== '') return String(fromContext);
  const fromEnv = process.env[environmentNameOf(name)];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
};
/** The stage's settings in cdk.json (`stages.<stage>`), under any override. */
const stage = override('stage');
const stageSettings = stage === undefined ? {} : stageSettingsOf(app.node.tryGetContext('stages'), stage);
const setting = (name: SettingName): string | undefined => override(name) ?? stageSettings[name];

const content = await loadContent();
const { props, placeholderSender } = platformPropsFromSettings(setting, platformContentOf(content));
if (placeholderSender) {
  process.stderr.write(`disclosure: no senderAddress given, synthesising with ${PLACEHOLDER_SENDER}; deploy with -c senderAddress=<verified address>\n`);
}
const account = setting('account');
const region = setting('region');
const stackName = setting('stackName') ?? 'Disclosure';
// CloudFront's metrics exist in us-east-1 only: its alarms go into the stack there, else into a companion stack there.
const edgeAlarms = edgeAlarmPlacement(region, props.stage);
const platformStack = new DisclosureStack(app, stackName, {
  platform: props,
  description: 'Disclosure: regional privacy notices, acceptance evidence, change-notice campaigns',
  // Environment-agnostic unless the operator pins one: synth needs no credentials and no lookups.
  env: account || region ? { account, region } : undefined,
  ...(edgeAlarms === 'companion' ? { crossRegionReferences: true } : {}),
});
if (edgeAlarms === 'companion') {
  new DisclosureEdgeAlarmsStack(app, `${stackName}-EdgeAlarms`, {
    description: `Disclosure: the CloudFront alarms of ${stackName} (CloudFront's metrics exist in us-east-1 only)`,
    env: { account, region: CLOUDFRONT_METRICS_REGION },
    distribution: platformStack.platform.distribution,
    platformStackName: stackName,
    alarmEmail: props.alarmEmail,
    alarmTopicArn: props.alarmTopicArn,
  });
} else if (edgeAlarms === 'none') {
  process.stderr.write('disclosure: no region pinned, so no CloudFront alarms (they need to know whether the stack is in us-east-1); pin -c region=… for a deploy\n');
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
