/**
 * The gateway's route table: compiled once from `functions/routes.ts` (static paths in a map, each
 * `{param}` template one regex), then matched per request without allocating more than the match.
 */
import { authorizationScopes, routeKey, type Route } from '../../functions/routes.ts';

/** One route with what the event needs of it, computed once. */
export interface CompiledRoute {
  readonly route: Route;
  readonly routeKey: string;
  /** Names of the `{param}` segments, in order. */
  readonly paramNames: readonly string[];
  /** The JWT authorization scopes API Gateway checks for this route (none: any valid token). */
  readonly scopes: readonly string[];
}

/** Every method registered for one path template, with the matcher for that template. */
export interface PathGroup {
  readonly matcher: RegExp | null;
  readonly paramNames: readonly string[];
  readonly byMethod: Map<string, CompiledRoute>;
  /** The `Allow` header for a 405 on this path. */
  readonly allow: string;
}

export interface RouteTable {
  readonly staticPaths: Map<string, PathGroup>;
  readonly dynamicPaths: readonly PathGroup[];
}

/** A matched path: its group and the raw (still percent-encoded) `{param}` values, in order. */
export interface PathMatch {
  readonly group: PathGroup;
  readonly values: readonly string[];
}

const NO_VALUES: readonly string[] = [];

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Compile the route table once: static paths go in a map, templates become one regex each. */
export const compileRoutes = (table: readonly Route[]): RouteTable => {
  const groups = new Map<string, { matcher: RegExp | null; paramNames: string[]; byMethod: Map<string, CompiledRoute> }>();
  for (const route of table) {
    let group = groups.get(route.path);
    if (!group) {
      const paramNames: string[] = [];
      const pattern = route.path
        .split('/')
        .map((segment) => {
          const param = /^\{(\w+)\}$/.exec(segment);
          if (!param) return escapeRegExp(segment);
          paramNames.push(param[1]!);
          return '([^/]+)';
        })
        .join('/');
      group = { matcher: paramNames.length > 0 ? new RegExp(`^${pattern}$`) : null, paramNames, byMethod: new Map() };
      groups.set(route.path, group);
    }
    group.byMethod.set(route.method, { route, routeKey: routeKey(route), paramNames: group.paramNames, scopes: authorizationScopes(route) });
  }
  const staticPaths = new Map<string, PathGroup>();
  const dynamicPaths: PathGroup[] = [];
  for (const [path, group] of groups) {
    const compiled: PathGroup = { ...group, allow: [...group.byMethod.keys()].join(', ') };
    if (group.matcher) dynamicPaths.push(compiled);
    else staticPaths.set(path, compiled);
  }
  return { staticPaths, dynamicPaths };
};

/** The path group a raw path belongs to, static paths first; undefined means 404. */
export const matchPath = (table: RouteTable, path: string): PathMatch | undefined => {
  const group = table.staticPaths.get(path);
  if (group) return { group, values: NO_VALUES };
  for (const candidate of table.dynamicPaths) {
    const found = candidate.matcher!.exec(path);
    if (found) return { group: candidate, values: found.slice(1) };
  }
  return undefined;
};
