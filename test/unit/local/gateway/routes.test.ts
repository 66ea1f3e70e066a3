import { describe, expect, it } from 'vitest';
import type { Route } from '../../../../functions/routes.ts';
import { compileRoutes, matchPath } from '../../../../local/gateway/routes.ts';

const TABLE: readonly Route[] = [
  { method: 'GET', path: '/v1/notices', lambda: 'notices', auth: 'public' },
  { method: 'GET', path: '/v1/notices/{noticeId}', lambda: 'notices', auth: 'public' },
  { method: 'PUT', path: '/v1/accounts/{accountId}/contact', lambda: 'accounts', auth: 'account' },
  { method: 'DELETE', path: '/v1/accounts/{accountId}/contact', lambda: 'accounts', auth: 'account' },
  { method: 'GET', path: '/v1/a.b', lambda: 'notices', auth: 'public' },
];

describe('Function: compileRoutes', () => {
  it('puts static paths in a map and gives each template one matcher with its parameter names', () => {
    // Act
    const table = compileRoutes(TABLE);

    // Assess
    expect([...table.staticPaths.keys()]).toEqual(['/v1/notices', '/v1/a.b']);
    expect(table.dynamicPaths.map((group) => group.paramNames)).toEqual([['noticeId'], ['accountId']]);
    expect(table.staticPaths.get('/v1/notices')!.matcher).toBeNull();
  });

  it('groups the methods of one path, with the route key and the Allow header', () => {
    // Act
    const contact = compileRoutes(TABLE).dynamicPaths[1]!;

    // Assess
    expect(contact.allow).toBe('PUT, DELETE');
    expect(contact.byMethod.get('DELETE')).toMatchObject({ routeKey: 'DELETE /v1/accounts/{accountId}/contact', paramNames: ['accountId'] });
    expect(contact.byMethod.get('DELETE')!.route.lambda).toBe('accounts');
  });
});

describe('Function: matchPath', () => {
  const table = compileRoutes(TABLE);

  it('matches a static path with no parameter values', () => {
    // Act
    const found = matchPath(table, '/v1/notices');

    // Assess
    expect(found?.group.byMethod.get('GET')?.routeKey).toBe('GET /v1/notices');
    expect(found?.values).toEqual([]);
  });

  it('matches a template and returns its raw, still encoded values', () => {
    // Act
    const found = matchPath(table, '/v1/accounts/a%2Fb/contact');

    // Assess
    expect(found?.group.allow).toBe('PUT, DELETE');
    expect(found?.values).toEqual(['a%2Fb']);
  });

  it('matches no more than whole segments, and takes dots literally', () => {
    // Act + Assess
    expect(matchPath(table, '/v1/notices/privacy/extra')).toBeUndefined();
    expect(matchPath(table, '/v1/notices/')).toBeUndefined();
    expect(matchPath(table, '/v1/aXb')).toBeUndefined();
    expect(matchPath(table, '/v1/a.b')).toBeDefined();
  });
});
