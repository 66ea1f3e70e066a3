import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, UnsecuredJWT, importJWK } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../functions/core/clock.ts';
import { principalFromEvent } from '../../../functions/http/principal.ts';
import { buildHttpEvent, collectHeaders, formatRequestTime, type AuthorizerContext } from '../../../local/gateway/event.ts';
import { compileRoutes } from '../../../local/gateway/routes.ts';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, createLocalJwtAuthorizer } from '../../../local/jwt-authorizer.ts';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

const NOW = '2026-11-29T12:00:00.000Z';

/** The event the gateway builds for an admin route once the authoriser has decided. */
const adminEventWith = (authorizer: AuthorizerContext | undefined): APIGatewayProxyEventV2 => {
  const routes = compileRoutes([{ method: 'POST', path: '/v1/campaigns', lambda: 'campaigns-api', auth: 'admin' }]);
  return buildHttpEvent({
    target: routes.staticPaths.get('/v1/campaigns')!.byMethod.get('POST')!,
    rawPath: '/v1/campaigns',
    rawQueryString: '',
    request: collectHeaders([], '127.0.0.1', '3000'),
    pathParameters: undefined,
    body: undefined,
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
    authorizer,
    requestId: 'req-1',
    timeEpoch: Date.parse(NOW),
    time: formatRequestTime(new Date(NOW)),
    domainName: '127.0.0.1:3000',
    domainPrefix: '127',
  });
};
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('Function: createLocalJwtAuthorizer', () => {
  let keyDir: string;
  beforeEach(() => {
    keyDir = mkdtempSync(join(tmpdir(), 'jwt-unit-'));
  });
  afterEach(() => rmSync(keyDir, { recursive: true, force: true }));

  /** Sign with the stored private key but arbitrary claims, to test each check on its own. */
  const signRaw = async (build: (jwt: SignJWT) => SignJWT): Promise<string> => {
    const { privateJwk } = JSON.parse(readFileSync(join(keyDir, 'jwt-rs256.json'), 'utf8')) as { privateJwk: Record<string, string> };
    const key = await importJWK(privateJwk, 'RS256');
    return build(new SignJWT({}).setProtectedHeader({ alg: 'RS256' })).sign(key);
  };

  it('generates the key pair once (private file mode 0600) and reuses it across instances', async () => {
    const first = await createLocalJwtAuthorizer({ keyDir, clock: fixedClock(NOW) });
    const second = await createLocalJwtAuthorizer({ keyDir, clock: fixedClock(NOW) });
    const token = await first.sign({ sub: 'acct-1' });

    expect(await second.authorize(bearer(token))).not.toBeNull();
    expect(statSync(join(keyDir, 'jwt-rs256.json')).mode & 0o777).toBe(0o600);
  });

  it('hands the claims over as API Gateway does (strings), and the principal follows the scope', async () => {
    const authorizer = await createLocalJwtAuthorizer({ keyDir, clock: fixedClock(NOW) });
    const context = await authorizer.authorize(bearer(await authorizer.sign({ sub: 'ops', scope: 'disclosure/admin' })));
    const principal = principalFromEvent(adminEventWith(context ?? undefined));

    expect(context?.jwt.claims).toMatchObject({ sub: 'ops', iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, scope: 'disclosure/admin', exp: String(Date.parse(NOW) / 1000 + 3600) });
    expect(principal).toEqual({ kind: 'admin', id: 'ops' });
  });

  it('refuses a token once the clock passes exp, and accepts it before', async () => {
    const clock = fixedClock(NOW);
    const authorizer = await createLocalJwtAuthorizer({ keyDir, clock });
    const token = await authorizer.sign({ sub: 'acct-1', ttlSeconds: 60 });

    const before = await authorizer.authorize(bearer(token));
    clock.advance(61_000);
    const after = await authorizer.authorize(bearer(token));

    expect(before).not.toBeNull();
    expect(after).toBeNull();
  });

  it.each([
    ['a wrong issuer', (jwt: SignJWT) => jwt.setSubject('a').setIssuer('urn:elsewhere').setAudience(LOCAL_AUDIENCE).setExpirationTime('1h')],
    ['a wrong audience', (jwt: SignJWT) => jwt.setSubject('a').setIssuer(LOCAL_ISSUER).setAudience('other').setExpirationTime('1h')],
    ['no exp', (jwt: SignJWT) => jwt.setSubject('a').setIssuer(LOCAL_ISSUER).setAudience(LOCAL_AUDIENCE)],
    ['no sub', (jwt: SignJWT) => jwt.setIssuer(LOCAL_ISSUER).setAudience(LOCAL_AUDIENCE).setExpirationTime('1h')],
    ['nbf in the future', (jwt: SignJWT) => jwt.setSubject('a').setIssuer(LOCAL_ISSUER).setAudience(LOCAL_AUDIENCE).setExpirationTime('2h').setNotBefore('1h')],
  ])('refuses a correctly signed token with %s', async (_case, build) => {
    const authorizer = await createLocalJwtAuthorizer({ keyDir });
    const token = await signRaw(build);
    expect(await authorizer.authorize(bearer(token))).toBeNull();
  });

  it('refuses an unsigned (alg none) token, a non-bearer scheme and a missing header', async () => {
    const authorizer = await createLocalJwtAuthorizer({ keyDir, clock: fixedClock(NOW) });
    const unsecured = new UnsecuredJWT({ sub: 'acct-1' }).setIssuer(LOCAL_ISSUER).setAudience(LOCAL_AUDIENCE).setExpirationTime('1h').encode();
    const valid = await authorizer.sign({ sub: 'acct-1' });

    expect(await authorizer.authorize(bearer(unsecured))).toBeNull();
    expect(await authorizer.authorize({ authorization: `Basic ${valid}` })).toBeNull();
    expect(await authorizer.authorize({})).toBeNull();
  });
});
