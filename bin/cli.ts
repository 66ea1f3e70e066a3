#!/usr/bin/env -S npx tsx
/**
 * `npm run cli -- <command>`: each command lives in bin/commands/<name>.ts and is imported only
 * when asked for, so a content build does not load the AWS SDK.
 */
import { Command } from 'commander';

const commands: Record<string, string> = {
  build: 'compile templates/ into .build/content.json (+ content-index.json, templates.json)',
  validate: 'check templates/ and report every problem with file and line',
  diff: 'section-level differences between two versions of a notice',
  show: 'print the variant a caller would be served',
  token: 'print a bearer token for the local gateway',
  export: 'stream the acceptance evidence of a notice (jsonl or csv)',
  'new-version': 'scaffold the next version of a notice from its latest',
  publish: 'validate a draft version and lock it (published.lock.json)',
  evidence: "render one account's whole record as a self-contained report",
  verify: 'recompute every content hash of an export against the published text',
  import: 'record acceptances with their original time from a JSONL or CSV file',
};

const program = new Command('disclosure')
  .description('Disclosure: privacy notices, acceptance evidence and change-notice campaigns')
  .showHelpAfterError();

const name = process.argv[2];
if (name && Object.hasOwn(commands, name)) {
  const mod = (await import(`./commands/${name}.ts`)) as { register(program: Command): void };
  mod.register(program);
} else {
  for (const [cmd, description] of Object.entries(commands)) program.command(cmd).description(description);
}

await program.parseAsync(process.argv);
