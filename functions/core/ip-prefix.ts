/**
 * IP anonymisation for evidence: keep the network, drop the host (IPv4 /24, IPv6 /48), so the
 * evidence shows where an acceptance came from without holding a full, personal address.
 */
import { isIPv4, isIPv6 } from 'node:net';

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** Expand an IPv6 address to its eight 16-bit groups (handles `::` and an embedded IPv4 tail). */
const ipv6Groups = (address: string): number[] => {
  let text = address.toLowerCase().split('%')[0]!;
  const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = text.slice(0, -dotted[1]!.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  const missing = 8 - left.length - right.length;
  return [...left, ...(tail === undefined ? [] : new Array<number>(missing).fill(0)), ...right];
};

/** The anonymised network of an address (`203.0.113.0/24`, `2001:db8:85a3::/48`), or undefined if it is not an IP. */
export const ipPrefix = (address: string): string | undefined => {
  const mapped = IPV4_MAPPED.exec(address);
  const candidate = mapped ? mapped[1]! : address;
  if (isIPv4(candidate)) {
    const [a, b, c] = candidate.split('.');
    return `${a}.${b}.${c}.0/24`;
  }
  if (isIPv6(address)) {
    const network = `${ipv6Groups(address).slice(0, 3).map((group) => group.toString(16)).join(':')}::`;
    // The WHATWG URL parser writes the canonical compressed form (RFC 5952).
    return `${new URL(`http://[${network}]`).hostname.slice(1, -1)}/48`;
  }
  return undefined;
};
