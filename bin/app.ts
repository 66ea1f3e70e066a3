#!/usr/bin/env -S npx tsx
/**
 * The CDK app: the only place that reads context and `process.env` for synth. It builds the
 * content first (the notice Lambda bundles `.build/content.json`, the CloudFront Function is
 * generated from its catalogue) and passes everything down as props.
 *
 *   npx cdk synth
 *   npx cdk deploy -c senderAddress=privacy@example.org -c jwtIssuer=https://issuer.example.org -c jwtAudience=disclosure
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Duration, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { CompiledContent } from '../functions/content/types.ts';
import { platformContentOf, type DisclosurePlatformProps } from '../lib/disclosure-platform.ts';
import { DisclosureStack } from '../lib/disclosure-stack.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const ARTIFACT = path.join(ROOT, '.build', 'content.json');
/** Lets `cdk synth` run on a fresh clone; a deploy must name a real, verified sender. */
const PLACEHOLDER_SENDER = 'privacy@example.com';

/** Builds `templates/` into the artifact (failing on invalid content); falls back to an existing artifact. */
const loadContent = async (): Promise<CompiledContent> => {
  const buildModule = path.join(ROOT, 'functions', 'content', 'build.ts');
  if (existsSync(buildModule)) {
    const { buildContent, writeContentArtifact } = (await import(buildModule)) as typeof import('../functions/content/build.ts');
    const content = buildContent({ templatesDir: path.join(ROOT, 'templates') });
    writeContentArtifact(content, ARTIFACT);
    return content;
  }
  return JSON.parse(readFileSync(ARTIFACT, 'utf8')) as CompiledContent;
};

const app = new App();
/** A setting from `-c name=value`, else `DISCLOSURE_<NAME>` in the environment. */
const setting = (name: string): string | undefined => {
  const fromContext: unknown = app.node.tryGetContext(name);
  if (fromContext !== undefined && fromContext !== '') return String(fromContext);
  const envName = `DISCLOSURE_${name.replace(/([A-Z])/g, '_$1').toUpperCase()}`;
  const fromEnv = process.env[envName];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
};
const numberSetting = (name: string): number | undefined => {
  const value = setting(name);
  return value === undefined ? undefined : Number(value);
};
const booleanSetting = (name: string): boolean | undefined => {
  const value = setting(name);
  return value === undefined ? undefined : value === 'true';
};

const content = await loadContent();
const senderAddress = setting('senderAddress');
if (!senderAddress) {
  process.stderr.write(`disclosure: no senderAddress given, synthesising with ${PLACEHOLDER_SENDER}; deploy with -c senderAddress=<verified address>\n`);
}
const jwtIssuer = setting('jwtIssuer');
const queueAgeMinutes = numberSetting('queueAgeAlarmMinutes');
const platform: DisclosurePlatformProps = {
  content: platformContentOf(content),
  senderAddress: senderAddress ?? PLACEHOLDER_SENDER,
  senderIdentity: setting('senderIdentity'),
  createSenderIdentity: booleanSetting('createSenderIdentity') ?? (senderAddress !== undefined),
  sendQuotaPerSecond: numberSetting('sendQuotaPerSecond'),
  reminderDays: numberSetting('reminderDays'),
  jwt: jwtIssuer ? { issuer: jwtIssuer, audience: (setting('jwtAudience') ?? 'disclosure').split(',').map((a) => a.trim()) } : undefined,
  informationalEmails: booleanSetting('informationalEmails'),
  alarmEmail: setting('alarmEmail'),
  publicBaseUrl: setting('publicBaseUrl'),
  tracing: booleanSetting('tracing'),
  webAclArn: setting('webAclArn'),
  queueAgeAlarmThreshold: queueAgeMinutes === undefined ? undefined : Duration.minutes(queueAgeMinutes),
};

new DisclosureStack(app, setting('stackName') ?? 'Disclosure', {
  platform,
  description: 'Disclosure: regional privacy notices, acceptance evidence, change-notice campaigns',
  // Environment-agnostic unless the operator pins one: synth needs no credentials and no lookups.
  env: setting('account') || setting('region') ? { account: setting('account'), region: setting('region') } : undefined,
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
