/**
 * The deploy diff gate: compares the template deployed (`aws cloudformation get-template`) with
 * the one about to be deployed (`cdk synth`) and lists every change that would delete or replace a
 * stateful or identity resource, or drop its retention. Pure: `bin/diff-gate.ts` reads the files.
 *
 * Replacement is decided as CloudFormation documents it ("Update requires: Replacement"): a changed
 * type at the same logical id, or a change of one of the properties listed below.
 */

/** Stateful or identity resource types, each with the properties whose change replaces the resource. */
export const GUARDED_TYPES: Readonly<Record<string, readonly string[]>> = {
  'AWS::DynamoDB::Table': ['TableName', 'KeySchema', 'LocalSecondaryIndexes'],
  'AWS::KMS::Key': ['KeySpec', 'KeyUsage', 'MultiRegion'],
  'AWS::SecretsManager::Secret': ['Name'],
  'AWS::SQS::Queue': ['QueueName', 'FifoQueue'],
  'AWS::S3::Bucket': ['BucketName'],
  'AWS::SES::EmailIdentity': ['EmailIdentity'],
  'AWS::SES::ConfigurationSet': ['Name'],
  'AWS::Events::EventBus': ['Name'],
  'AWS::Events::Archive': ['ArchiveName', 'SourceArn'],
  'AWS::CloudFront::Distribution': [],
  'AWS::ApiGatewayV2::Api': [],
  'AWS::SNS::Topic': ['TopicName', 'FifoTopic'],
  'AWS::Logs::LogGroup': ['LogGroupName'],
};

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}
export interface CfnTemplate {
  readonly Resources?: Record<string, TemplateResource>;
}

export interface GateFinding {
  readonly logicalId: string;
  readonly type: string;
  readonly change: 'deleted' | 'replaced' | 'retention dropped';
  readonly detail: string;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Every change of `after` against `before` the gate refuses; empty when the deploy may go. */
export const diffGate = (before: CfnTemplate, after: CfnTemplate): GateFinding[] => {
  const findings: GateFinding[] = [];
  const next = after.Resources ?? {};
  for (const [logicalId, old] of Object.entries(before.Resources ?? {})) {
    const replacing = GUARDED_TYPES[old.Type];
    if (replacing === undefined) continue;
    const now = next[logicalId];
    if (!now) {
      findings.push({ logicalId, type: old.Type, change: 'deleted', detail: 'the logical id is gone from the new template (a rename deletes the old resource)' });
      continue;
    }
    if (now.Type !== old.Type) {
      findings.push({ logicalId, type: old.Type, change: 'replaced', detail: `type ${old.Type} → ${now.Type}` });
      continue;
    }
    const changed = replacing.filter((property) => !same(old.Properties?.[property], now.Properties?.[property]));
    if (changed.length > 0) findings.push({ logicalId, type: old.Type, change: 'replaced', detail: `${changed.join(', ')} changed` });
    for (const policy of ['DeletionPolicy', 'UpdateReplacePolicy'] as const) {
      if (old[policy] === 'Retain' && now[policy] !== 'Retain') {
        findings.push({ logicalId, type: old.Type, change: 'retention dropped', detail: `${policy} Retain → ${now[policy] ?? 'Delete'}` });
      }
    }
  }
  return findings;
};
