#!/usr/bin/env -S npx tsx
/**
 * `npm start`: the local platform — gateway, embedded DynamoDB engine, local SES endpoint and the
 * Lambdas wired against them. The only place of the local platform that reads the environment.
 */
import { resolve } from 'node:path';
import { DEFAULT_DISCOVERY_FILE } from '../local/discovery.ts';
import { startPlatform } from '../local/platform.ts';

const portFrom = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`${name} must be a port number (0-65535), got "${raw}"`);
    process.exit(2);
  }
  return port;
};

const engine = process.env['DYNAMO_ENGINE'];
const port = portFrom('PORT', 3000);
const sesPort = portFrom('SES_PORT', 8005);
const platform = await startPlatform({
  port,
  sesPort,
  // The CLI (export, import, evidence) finds this platform through it, whatever the ports or DATA_DIR.
  discoveryFile: DEFAULT_DISCOVERY_FILE,
  ...(process.env['DATA_DIR'] ? { dataDir: resolve(process.env['DATA_DIR']) } : {}),
  ...(engine === 'dynalite' || engine === 'dynamodb-local' ? { dynamoEngine: engine } : {}),
}).catch((error: unknown) => {
  if ((error as { code?: string }).code === 'EADDRINUSE') {
    console.error(`a port is already in use (PORT=${port}, SES_PORT=${sesPort}): stop the other process or choose free ports, e.g. PORT=3001 SES_PORT=8006 npm start`);
    process.exit(1);
  }
  throw error;
});

const { url, sesEndpoint } = platform;
console.log(`
Disclosure is running locally.
  API        ${url}
  SES store  ${sesEndpoint ? `${sesEndpoint}/store` : '(local SES endpoint not available yet)'}

Try:
  curl -s '${url}/v1/notices'
  curl -s '${url}/v1/notices/privacy?country=DE'
  curl -s -H 'CloudFront-Viewer-Country: KR' '${url}/v1/notices/privacy'
  curl -s -H 'Accept-Language: ja-JP,en;q=0.5' '${url}/v1/notices/privacy?format=md'
  TOKEN=$(npm run -s cli -- token --account acct-1)
  curl -s -H "Authorization: Bearer $TOKEN" '${url}/v1/accounts/acct-1/notices/privacy/status'

Ctrl+C to stop.`);

let stopping = false;
const shutdown = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  platform.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`shutdown failed: ${(error as Error)?.name ?? 'error'}`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
