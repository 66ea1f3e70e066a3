/** `npm run cli -- token --account <id> | --admin | --service`: a bearer token for the local gateway. */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { createLocalJwtAuthorizer } from '../../local/jwt-authorizer.ts';
import { ADMIN_SCOPE, SERVICE_SCOPE } from '../../functions/http/principal.ts';

interface TokenOptions {
  readonly account?: string;
  readonly admin?: boolean;
  readonly service?: boolean;
  readonly ttl: string;
}

/** Same key directory as the local platform: `$DATA_DIR/keys`, else `.local/keys` in the repository. */
export const localKeyDir = (dataDir = process.env['DATA_DIR']): string =>
  dataDir ? join(resolve(dataDir), 'keys') : resolve(import.meta.dirname, '..', '..', '.local', 'keys');

/** Register the `token` command. */
export const register = (program: Command): void => {
  program
    .command('token')
    .description('print a bearer token for the local gateway')
    .option('--account <id>', 'an end-user token for this account (its sub)')
    .option('--admin', 'an administrator token (scope disclosure/admin)')
    .option('--service', 'a trusted service token (scope disclosure/service)')
    .option('--ttl <seconds>', 'lifetime in seconds', '3600')
    .action(async (options: TokenOptions) => {
      const chosen = [options.account !== undefined, options.admin === true, options.service === true].filter(Boolean).length;
      const ttlSeconds = Number(options.ttl);
      if (chosen !== 1) program.error('give exactly one of --account <id>, --admin, --service');
      if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) program.error('--ttl must be a positive whole number of seconds');
      const keyDir = localKeyDir();
      mkdirSync(keyDir, { recursive: true });
      const authorizer = await createLocalJwtAuthorizer({ keyDir });
      const token = options.account !== undefined
        ? await authorizer.sign({ sub: options.account, ttlSeconds })
        : options.admin
          ? await authorizer.sign({ sub: 'local-admin', scope: ADMIN_SCOPE, ttlSeconds })
          : await authorizer.sign({ sub: 'local-service', scope: SERVICE_SCOPE, ttlSeconds });
      process.stdout.write(`${token}\n`);
    });
};
