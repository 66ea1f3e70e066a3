import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_VARIABLES } from '../../functions/environment-variables.ts';
import {
  LAMBDAS,
  LAMBDA_NAMES,
  WIRING_MODULE_NAMES,
  httpLambdaWiredBy,
  isHttpLambda,
  lambdaSpec,
} from '../../functions/manifest.ts';
import { routeKey, routes } from '../../functions/routes.ts';

const REPO_ROOT = resolve(import.meta.dirname, '../..');

describe('Module: functions/manifest', () => {
  it('names every Lambda entry file there is, and only existing ones', () => {
    // Arrange
    const onDisk = readdirSync(resolve(REPO_ROOT, 'functions/lambdas')).filter((file) => file.endsWith('.ts')).map((file) => `functions/lambdas/${file}`);

    // Act
    const entries = LAMBDA_NAMES.map((name) => lambdaSpec(name).entry);

    // Assess
    expect(entries.sort()).toEqual(onDisk.sort());
    for (const name of LAMBDA_NAMES) expect(lambdaSpec(name).entry, name).toBe(`functions/lambdas/${name}.ts`);
  });

  it('lists the eight Lambdas in creation order', () => {
    expect(LAMBDA_NAMES).toEqual([
      'notices', 'accounts', 'campaigns-api', 'choices', 'campaign-planner', 'campaign-sender', 'ses-events', 'campaign-scheduler',
    ]);
  });

  it('gives each Lambda only known environment variables, each once', () => {
    for (const name of LAMBDA_NAMES) {
      const environment = lambdaSpec(name).environment;
      expect(new Set(environment).size, name).toBe(environment.length);
      for (const variable of environment) expect(Object.keys(ENVIRONMENT_VARIABLES), `${name}: ${variable}`).toContain(variable);
    }
  });

  it('uses every environment variable it declares', () => {
    const used = new Set(LAMBDA_NAMES.flatMap((name) => lambdaSpec(name).environment));
    expect([...used].sort()).toEqual(Object.keys(ENVIRONMENT_VARIABLES).sort());
  });

  it('never repeats a grant on one Lambda', () => {
    for (const name of LAMBDA_NAMES) expect(new Set(lambdaSpec(name).grants).size, name).toBe(lambdaSpec(name).grants.length);
  });

  it('never repeats a ledger action on one Lambda', () => {
    for (const name of LAMBDA_NAMES) expect(new Set(lambdaSpec(name).ledger).size, name).toBe(lambdaSpec(name).ledger.length);
  });

  it('gives campaigns-api neither the token secret nor the sender address it never reads', () => {
    expect(LAMBDAS['campaigns-api'].environment).not.toContain('TOKEN_SECRET_ARN');
    expect(LAMBDAS['campaigns-api'].environment).not.toContain('SENDER_ADDRESS');
    expect(LAMBDAS['campaigns-api'].grants).not.toContain('token-secret:read');
  });

  it('consumes each work queue with exactly one Lambda', () => {
    const consumers = LAMBDA_NAMES.flatMap((name) => {
      const trigger = lambdaSpec(name).trigger;
      return trigger.kind === 'queue' ? [trigger.queue] : [];
    });
    expect(consumers.sort()).toEqual(['planner', 'send', 'ses-events']);
  });

  describe('Function: routes (functions/routes.ts)', () => {
    it('derives one route per manifest route and a HEAD per GET, each with its Lambda, keys unique', () => {
      const expected = LAMBDA_NAMES.filter(isHttpLambda).reduce((count, name) => {
        const trigger = lambdaSpec(name).trigger;
        // Each GET route has its HEAD twin.
        return count + (trigger.kind === 'http' ? trigger.routes.length + trigger.routes.filter((route) => route.method === 'GET').length : 0);
      }, 0);
      expect(routes).toHaveLength(expected);
      expect(new Set(routes.map(routeKey)).size).toBe(routes.length);
      expect(routes.find((route) => routeKey(route) === 'GET /v1/campaigns/{campaignId}')).toMatchObject({ lambda: 'campaigns-api', auth: 'admin' });
    });
  });

  describe('Local wiring', () => {
    it('loads every wiring module once, the HTTP ones first, and each file exists', () => {
      expect(WIRING_MODULE_NAMES).toEqual(['notices', 'accounts', 'campaigns-api', 'choices', 'workers']);
      for (const name of WIRING_MODULE_NAMES) expect(existsSync(resolve(REPO_ROOT, 'local/wiring', `${name}.ts`)), name).toBe(true);
    });

    it('maps a wiring module to the HTTP Lambda it serves, and the workers to none', () => {
      expect(httpLambdaWiredBy('choices')).toBe('choices');
      expect(httpLambdaWiredBy('workers')).toBeUndefined();
    });
  });
});
