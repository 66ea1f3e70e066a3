import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/core/errors.ts';
import { browserLanguages, choiceSource, optionFromBody, wantsJson } from '../../../functions/http/choice-request.ts';
import { httpEvent } from '../../fakes/http-event.ts';

const post = (body: string, headers: Record<string, string> = {}, isBase64Encoded = false) =>
  httpEvent({ method: 'POST', path: '/choices/t', headers, body, isBase64Encoded });

describe('Module: choice-request', () => {
  it('serves HTML unless Accept prefers JSON or problem+json', () => {
    expect(wantsJson(httpEvent({ path: '/choices/t' }))).toBe(false);
    expect(wantsJson(httpEvent({ path: '/choices/t', headers: { accept: 'text/html,application/json;q=0.5' } }))).toBe(false);
    expect(wantsJson(httpEvent({ path: '/choices/t', headers: { accept: 'application/json' } }))).toBe(true);
    expect(wantsJson(httpEvent({ path: '/choices/t', headers: { accept: 'application/problem+json' } }))).toBe(true);
  });

  it('lists the page languages the browser accepts, falling back to the first page language', () => {
    expect(browserLanguages(httpEvent({ path: '/choices/t', headers: { 'accept-language': 'ja-JP,ja;q=0.9,en;q=0.5' } }))).toEqual(['ja', 'en']);
    expect(browserLanguages(httpEvent({ path: '/choices/t', headers: { 'accept-language': 'fr' } }))).toEqual(['en']);
  });

  it('reads the option from a form, a JSON or a base64 body', () => {
    expect(optionFromBody(httpEvent({ method: 'POST', path: '/choices/t' }))).toBeUndefined();
    expect(optionFromBody(post('option=keep-previous&x=1'))).toBe('keep-previous');
    expect(optionFromBody(post('{"option":"delete"}', { 'content-type': 'application/json' }))).toBe('delete');
    expect(optionFromBody(post(Buffer.from('option=accept').toString('base64'), {}, true))).toBe('accept');
  });

  it('refuses a body too large (413) or not JSON (400), as the caller\'s error', () => {
    expect(() => optionFromBody(post(`option=${'x'.repeat(5000)}`))).toThrow(expect.objectContaining({ statusCode: 413 }));
    expect(() => optionFromBody(post('{', { 'content-type': 'application/json' }))).toThrow(InvalidInputError);
  });

  it('records the IP prefix and user agent only when present', () => {
    expect(choiceSource(httpEvent({ path: '/choices/t', sourceIp: '203.0.113.77', headers: { 'user-agent': 'UA' } }))).toEqual({ ipPrefix: expect.any(String), userAgent: 'UA' });
    expect(choiceSource(httpEvent({ path: '/choices/t', sourceIp: '' }))).toEqual({});
  });
});
