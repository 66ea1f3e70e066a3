/** `GET /v1/openapi.json`: the OpenAPI document, generated at content-build time and served as is. */
import type { HttpEvent, HttpResult } from '../http/middleware.ts';
import { etagOfBody } from './conditional.ts';
import { JSON_CONTENT_TYPE } from './list-notices.ts';
import { memoisedOpenApi, OPENAPI_KEY } from './memo-lookups.ts';
import { memoEntry, respondFrom, type ServingContext } from './serving-context.ts';

/** The route. */
export const getOpenApi = (event: HttpEvent, context: ServingContext): HttpResult => {
  const hit = memoisedOpenApi(event, context);
  if (hit !== undefined) return hit;
  const body = context.content.openapi;
  // Not immutable: the document changes with a deployment, under the same URL.
  const headers = { 'Content-Type': JSON_CONTENT_TYPE, 'Cache-Control': 'public, max-age=300' };
  return respondFrom(context.memo.set(OPENAPI_KEY, memoEntry(body, headers, etagOfBody(body), Infinity)), event);
};
