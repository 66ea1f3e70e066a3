#!/usr/bin/env -S npx tsx
/**
 * `npm run diff-gate -- <deployed.json> <synthesised.json>`: exits 1, listing them, when the new
 * template deletes or replaces a stateful or identity resource or drops its retention (docs/runbook.md, "Deploy").
 *
 *   aws cloudformation get-template --stack-name Disclosure-production --query TemplateBody > deployed.json
 *   npx cdk synth -c stage=production --quiet && cp cdk.out/Disclosure-production.template.json synthesised.json
 *   npm run diff-gate -- deployed.json synthesised.json
 */
import { readFileSync } from 'node:fs';
import { diffGate, type CfnTemplate } from '../lib/diff-gate.ts';

const [beforeFile, afterFile] = process.argv.slice(2);
if (!beforeFile || !afterFile) {
  process.stderr.write('usage: npm run diff-gate -- <deployed template.json> <synthesised template.json>\n');
  process.exit(2);
}
const read = (file: string): CfnTemplate => JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate;
const findings = diffGate(read(beforeFile), read(afterFile));
for (const finding of findings) process.stdout.write(`REFUSED ${finding.change}: ${finding.logicalId} (${finding.type}): ${finding.detail}\n`);
process.stdout.write(findings.length === 0 ? 'diff gate: no stateful or identity resource deleted or replaced\n' : `diff gate: ${findings.length} refused change(s)\n`);
process.exit(findings.length === 0 ? 0 : 1);
