import { describe, expect, it } from 'vitest';
import { ipPrefix } from '../../../functions/core/ip-prefix.ts';

describe('Function: ipPrefix (evidence anonymisation used by the ledger)', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24'],
    ['::ffff:10.1.2.3', '10.1.2.0/24'],
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3::/48'],
    ['2001:DB8:0:1::1', '2001:db8::/48'],
    ['::1', '::/48'],
    ['fe80::1%eth0', 'fe80::/48'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3::/48'],
  ])('keeps only the network of %s', (address, expected) => {
    expect(ipPrefix(address)).toBe(expected);
  });

  it.each(['', 'example.org', '300.1.1.1', '1.2.3', ':::'])('answers undefined for %j', (address) => {
    expect(ipPrefix(address)).toBeUndefined();
  });
});
