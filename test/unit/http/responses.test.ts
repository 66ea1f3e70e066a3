import { describe, expect, it } from 'vitest';
import { htmlResponse, jsonResponse, noContent } from '../../../functions/http/responses.ts';

describe('Module: responses', () => {
  it('answers JSON never cached, extra headers added or overriding', () => {
    expect(jsonResponse(201, { a: 1 })).toEqual({ statusCode: 201, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body: '{"a":1}' });
    expect(jsonResponse(200, [], { Location: '/x', 'Cache-Control': 'private' }).headers).toEqual({ 'Content-Type': 'application/json', 'Cache-Control': 'private', Location: '/x' });
  });

  it('answers 204 with no body, and a page with its type and language', () => {
    expect(noContent()).toEqual({ statusCode: 204, headers: { 'Cache-Control': 'no-store' } });
    expect(htmlResponse(410, { language: 'ja', html: '<p>閉</p>' }, { Vary: 'Accept' })).toEqual({
      statusCode: 410,
      headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Language': 'ja', Vary: 'Accept' },
      body: '<p>閉</p>',
    });
  });
});
