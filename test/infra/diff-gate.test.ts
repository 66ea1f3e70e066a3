/** The deploy diff gate over two synthesised templates of the platform's data and messaging. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { describe, expect, it } from 'vitest';
import { buildData } from '../../lib/data.ts';
import { resolvePlatformProps } from '../../lib/disclosure-platform-props.ts';
import { diffGate, type CfnTemplate } from '../../lib/diff-gate.ts';
import { buildMessaging } from '../../lib/messaging.ts';

const config = resolvePlatformProps({
  content: { catalogue: { regions: [], countries: {}, subdivisions: {} }, languages: ['en'], defaultLanguage: 'en' },
  senderAddress: 'privacy@notices.example.org',
});

/** The stateful part of the platform (table, key, secret, queues, bus, SES), optionally altered before synth. */
const synthStateful = (alter: (parts: { data: ReturnType<typeof buildData>; stack: Stack }) => void = () => {}): CfnTemplate => {
  const stack = new Stack(new App(), 'Disclosure');
  const data = buildData(stack);
  buildMessaging(stack, config);
  alter({ data, stack });
  return Template.fromStack(stack).toJSON() as CfnTemplate;
};

describe('Function: diffGate', () => {
  const deployed = synthStateful();

  it('passes the same template', () => {
    expect(diffGate(deployed, synthStateful())).toEqual([]);
  });

  it('refuses a simulated table replacement (a changed partition key)', () => {
    const replaced = synthStateful(({ data }) => {
      const table = data.table.node.defaultChild as CfnTable;
      table.keySchema = [{ attributeName: 'id', keyType: 'HASH' }];
      table.attributeDefinitions = [{ attributeName: 'id', attributeType: 'S' }, { attributeName: 'gsi1pk', attributeType: 'S' }, { attributeName: 'gsi1sk', attributeType: 'S' }, { attributeName: 'gsi2pk', attributeType: 'S' }, { attributeName: 'gsi2sk', attributeType: 'S' }];
    });
    expect(diffGate(deployed, replaced)).toEqual([
      { logicalId: 'LedgerTable', type: 'AWS::DynamoDB::Table', change: 'replaced', detail: 'KeySchema changed' },
    ]);
  });

  it('refuses a renamed (deleted) SES identity, a renamed queue and a dropped retention', () => {
    const after = structuredClone(deployed) as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }> };
    const identity = after.Resources['PlatformSenderIdentity34B395E5']!;
    delete after.Resources['PlatformSenderIdentity34B395E5'];
    after.Resources['SenderIdentityRenamed'] = identity;
    after.Resources['SendQueue']!.Properties = { ...after.Resources['SendQueue']!.Properties, QueueName: 'send' };
    after.Resources['ChoiceTokenSecret']!.DeletionPolicy = 'Delete';
    expect(diffGate(deployed, after).map((finding) => `${finding.change} ${finding.logicalId}`).sort()).toEqual([
      'deleted PlatformSenderIdentity34B395E5', 'replaced SendQueue', 'retention dropped ChoiceTokenSecret',
    ]);
  });

  it('keeps the SES identity and configuration set retained', () => {
    for (const id of ['PlatformSenderIdentity34B395E5', 'PlatformConfigurationSetD3683150']) {
      expect((deployed.Resources?.[id] as { DeletionPolicy?: string }).DeletionPolicy, id).toBe('Retain');
    }
  });

  it('the script (npm run diff-gate) exits 1 on the table replacement, naming it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'diff-gate-'));
    try {
      const replaced = synthStateful(({ data }) => {
        const table = data.table.node.defaultChild as CfnTable;
      table.keySchema = [{ attributeName: 'id', keyType: 'HASH' }];
      table.attributeDefinitions = [{ attributeName: 'id', attributeType: 'S' }, { attributeName: 'gsi1pk', attributeType: 'S' }, { attributeName: 'gsi1sk', attributeType: 'S' }, { attributeName: 'gsi2pk', attributeType: 'S' }, { attributeName: 'gsi2sk', attributeType: 'S' }];
      });
      writeFileSync(path.join(dir, 'deployed.json'), JSON.stringify(deployed));
      writeFileSync(path.join(dir, 'replaced.json'), JSON.stringify(replaced));
      const script = path.resolve(import.meta.dirname, '../../bin/diff-gate.ts');
      const run = promisify(execFile);
      const refused = await run('npx', ['tsx', script, path.join(dir, 'deployed.json'), path.join(dir, 'replaced.json')]).catch((error: { code: number; stdout: string }) => error);
      expect((refused as { code: number }).code).toBe(1);
      expect((refused as { stdout: string }).stdout).toContain('REFUSED replaced: LedgerTable (AWS::DynamoDB::Table): KeySchema changed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
