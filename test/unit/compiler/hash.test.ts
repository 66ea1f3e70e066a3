import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalRendering, contentHash, sourceHash } from '../../../compiler/hash.ts';

const variant = {
  noticeId: 'privacy', version: 1, region: 'eea', language: 'en',
  sections: [{ id: 'a', title: 'A', markdown: 'Text.', region: null, html: '<p>Text.</p>' }],
};

describe('Function: contentHash', () => {
  it('is the SHA-256 of the canonical rendering the design defines (html and region excluded)', () => {
    const canonical = '{"noticeId":"privacy","version":1,"region":"eea","language":"en","sections":[{"id":"a","title":"A","markdown":"Text."}]}';
    expect(canonicalRendering(variant)).toBe(canonical);
    expect(contentHash(variant)).toBe(createHash('sha256').update(canonical).digest('hex'));
  });

  it('is deterministic and changes with any field of the canonical rendering', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (title, markdown) => {
        const a = { ...variant, sections: [{ id: 'a', title, markdown }] };
        expect(contentHash(a)).toBe(contentHash({ ...a, sections: [{ id: 'a', title, markdown }] }));
        expect(contentHash(a)).not.toBe(contentHash({ ...a, sections: [{ id: 'a', title, markdown: `${markdown} ` }] }));
        expect(contentHash(a)).not.toBe(contentHash({ ...a, version: 2 }));
      }),
      { numRuns: 200 },
    );
  });
});

describe('Function: sourceHash', () => {
  it('does not depend on the order files were read in, but on their paths and bytes', () => {
    const files = [{ path: 'b.md', content: 'B' }, { path: 'a.md', content: 'A' }];
    expect(sourceHash(files)).toBe(sourceHash([...files].reverse()));
    expect(sourceHash(files)).not.toBe(sourceHash([{ path: 'b.md', content: 'B' }, { path: 'c.md', content: 'A' }]));
    // Path/content boundaries are unambiguous.
    expect(sourceHash([{ path: 'ab', content: 'c' }])).not.toBe(sourceHash([{ path: 'a', content: 'bc' }]));
  });
});
