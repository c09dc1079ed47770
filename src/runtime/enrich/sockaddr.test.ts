import { describe, expect, it } from 'vitest';
import { ipv4Text, ipv6Text, mappedIpv4, ntohs } from './sockaddr.js';

/** Words as the sensor reads them: 32-bit little-endian loads of network-order bytes. */
function words(bytes: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    out.push(Buffer.from(bytes.slice(i, i + 4)).readUInt32LE(0));
  }
  return out;
}

describe('socket addresses', () => {
  it('swap ports from network order', () => {
    expect(ntohs(Buffer.from([0x11, 0x5c]).readUInt16LE(0))).toBe(4444);
    expect(ntohs(Buffer.from([0x01, 0xbb]).readUInt16LE(0))).toBe(443);
  });

  it('print IPv4 addresses dotted', () => {
    expect(ipv4Text(words([127, 0, 0, 1])[0] as number)).toBe('127.0.0.1');
    expect(ipv4Text(words([10, 200, 3, 255])[0] as number)).toBe('10.200.3.255');
  });

  it('print IPv6 addresses in RFC 5952 form', () => {
    const addr = (hex: string) => words([...Buffer.from(hex.replace(/:/g, ''), 'hex')]);
    expect(ipv6Text(addr('0000:0000:0000:0000:0000:0000:0000:0001'))).toBe('::1');
    expect(ipv6Text(addr('2001:0db8:0000:0000:0001:0000:0000:0001'))).toBe('2001:db8::1:0:0:1');
    expect(ipv6Text(addr('2001:0db8:0000:0001:0001:0001:0001:0001'))).toBe('2001:db8:0:1:1:1:1:1');
    expect(ipv6Text(addr('fe80:0000:0000:0000:0000:0000:0000:0000'))).toBe('fe80::');
    expect(ipv6Text(addr('0000:0000:0000:0000:0000:0000:0000:0000'))).toBe('::');
    // The longest run of zero groups is shortened, the first one on a tie.
    expect(ipv6Text(addr('2001:0db8:0000:0000:0001:0000:0000:0000'))).toBe('2001:db8:0:0:1::');
  });

  it('recognize IPv4-mapped IPv6 addresses', () => {
    const mapped = words([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 1, 7]);
    expect(ipv4Text(mappedIpv4(mapped) as number)).toBe('192.168.1.7');
    expect(mappedIpv4(words([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]))).toBeUndefined();
  });
});
