/** Placeholder: the OpenAPI 3.1 document, generated from the request/response schemas. */
export const buildOpenApiDocument = (): Record<string, unknown> => ({
  openapi: '3.1.0',
  info: { title: 'Disclosure API', version: '1.0.0' },
  paths: {},
});
