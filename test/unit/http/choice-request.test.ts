import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/core/errors.ts';
import { pageLanguages } from '../../../functions/campaigns/choice-pages.ts';
import { assertSameSite, browserLanguages, choiceSource, CrossSiteRequestError, optionFromBody, wantsJson } from '../../../functions/http/choice-request.ts';
import { httpEvent } from '../../fakes/http-event.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const post = (body: string, headers: Record<string, string> = FORM, isBase64Encoded = false) =>
  httpEvent({ method: 'POST', path: '/choices/t', headers, body, isBase64Encoded });

describe('Module: choice-request', () => {
  it('serves HTML unless Accept prefers JSON or problem+json', () => {
    expect(wantsJson(httpEvent({ path: '/choices/t' }))).toBe(false);
    expect(wantsJson(httpEvent({ path: '/choices/t', headers: { accept: 'text/html,application/json;q=0.5' } }))).toBe(false);
    expect(wantsJson(httpEvent({ path: '/choices/t', headers: { accept: 'application/json' } }))).toBe(true);
    expect(wantsJson(httpEvent({ path: '/choices/t', headers: { accept: 'application/problem+json' } }))).toBe(true);
  });

  it('lists the page languages the browser accepts, falling back to the first page language', () => {
    expect(browserLanguages(httpEvent({ path: '/choices/t', headers: { 'accept-language': 'ja-JP,ja;q=0.9,en;q=0.5' } }))).toEqual(['ja']);
    expect(browserLanguages(httpEvent({ path: '/choices/t', headers: { 'accept-language': 'fr' } }))).toEqual(['en']);
    expect(browserLanguages(httpEvent({ path: '/choices/t', headers: { 'accept-language': 'ko-KR,ko;q=0.9,en;q=0.8' } }))).toEqual(['ko']);
  });

  it('offers the languages the compiled page templates exist in, English first', () => {
    expect(pageLanguages()).toEqual(['en', 'ja', 'ko']);
  });

  it('reads the option from a form, a JSON or a base64 body', () => {
    expect(optionFromBody(httpEvent({ method: 'POST', path: '/choices/t', headers: FORM }))).toBeUndefined();
    expect(optionFromBody(post('option=keep-previous&x=1'))).toBe('keep-previous');
    expect(optionFromBody(post('{"option":"delete"}', { 'content-type': 'application/json' }))).toBe('delete');
    expect(optionFromBody(post(Buffer.from('option=accept').toString('base64'), { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' }, true))).toBe('accept');
    expect(optionFromBody(post('{"option":"delete"}', { 'content-type': 'application/merge-patch+json' }))).toBe('delete');
  });

  it('refuses any other body type with 415: none, text/plain, multipart, a JSON look-alike', () => {
    for (const contentType of [undefined, 'text/plain', 'multipart/form-data; boundary=x', 'application/jsonp', 'text/json', 'application/x-www-form-urlencodedx']) {
      const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
      expect(() => optionFromBody(post('option=accept', headers)), contentType).toThrow(expect.objectContaining({ statusCode: 415 }));
    }
  });

  it('refuses a browser POST from another site, and lets requests without browser headers through', () => {
    const site = (headers: Record<string, string>) => httpEvent({ method: 'POST', path: '/choices/t', headers: { host: 'choices.example.com', ...headers } });
    const refused = (headers: Record<string, string>) => expect(() => assertSameSite(site(headers), 'https://notices.example.org/')).toThrow(CrossSiteRequestError);
    refused({ 'sec-fetch-site': 'cross-site' });
    refused({ origin: 'http://evil.example' });
    refused({ origin: 'null' });
    refused({ origin: 'https://notices.example.org.evil.example' });
    for (const headers of [{}, { 'sec-fetch-site': 'same-origin' }, { 'sec-fetch-site': 'none' }, { origin: 'https://notices.example.org' }, { origin: 'https://choices.example.com' }, { origin: 'null', 'sec-fetch-site': 'same-origin' }] as Record<string, string>[]) {
      expect(() => assertSameSite(site(headers), 'https://notices.example.org/')).not.toThrow();
    }
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
