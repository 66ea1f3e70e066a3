/**
 * The logical ids CloudFormation tracks the platform's stateful and externally visible resources
 * by. A changed id replaces the resource: a new table (the old one orphaned), a new distribution
 * domain (links already emailed break), a new bus name consumers no longer receive from. The
 * committed fixture `pinned-logical-ids.json` was taken from the synth before `lib/` was split;
 * `pinned-logical-ids.test.ts` proves every later synth still has each id with the same type.
 *
 *   npx tsx test/infra/pinned-logical-ids.ts   # rewrite the fixture, only for a deliberate change
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The resource types whose logical ids are pinned: state, names others hold, and the edge. */
export const PINNED_TYPES = [
  'AWS::DynamoDB::Table',
  'AWS::KMS::Key',
  'AWS::SecretsManager::Secret',
  'AWS::SQS::Queue',
  'AWS::S3::Bucket',
  'AWS::CloudFront::Distribution',
  'AWS::CloudFront::Function',
  'AWS::CloudFront::CachePolicy',
  'AWS::CloudFront::OriginRequestPolicy',
  'AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Stage',
  'AWS::Events::EventBus',
  'AWS::Events::Archive',
  'AWS::Events::Rule',
  'AWS::SES::ConfigurationSet',
  'AWS::SES::ConfigurationSetEventDestination',
  'AWS::SES::EmailIdentity',
  'AWS::SNS::Topic',
  'AWS::Lambda::Function',
  'AWS::Logs::LogGroup',
] as const;

export const FIXTURE_URL = new URL('./pinned-logical-ids.json', import.meta.url);

/** Logical id → type of every resource of a pinned type in a synthesised template, sorted by id. */
export const pinnedLogicalIdsOf = (template: { Resources?: Record<string, { Type: string }> }): Record<string, string> => {
  const pinned = new Set<string>(PINNED_TYPES);
  return Object.fromEntries(
    Object.entries(template.Resources ?? {})
      .filter(([, resource]) => pinned.has(resource.Type))
      .map(([logicalId, resource]) => [logicalId, resource.Type] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { referenceProps, synthPlatform } = await import('./platform-synth.ts');
  const ids = pinnedLogicalIdsOf(synthPlatform(referenceProps).template.toJSON() as { Resources: Record<string, { Type: string }> });
  writeFileSync(FIXTURE_URL, `${JSON.stringify(ids, null, 2)}\n`);
  console.log(`wrote ${Object.keys(ids).length} pinned logical ids to ${fileURLToPath(FIXTURE_URL)}`);
}
