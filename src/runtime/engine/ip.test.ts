import { describe, expect, it } from 'vitest';
import { canonicalIp, formatIp, networkContains, parseIp, parseIpv4, parseNetwork } from './ip.js';

describe('ip', () => {
  it('parses dotted IPv4 and rejects near misses', () => {
    expect(parseIpv4('10.1.2.3')).toBe(10 * 2 ** 24 + 1 * 2 ** 16 + 2 * 256 + 3);
    expect(parseIpv4('255.255.255.255')).toBe(2 ** 32 - 1);
    for (const bad of ['10.1.2', '10.1.2.3.4', '256.1.1.1', '1..2.3', 'a.b.c.d', '1.2.3.4 ', '']) {
      expect(parseIpv4(bad)).toBe(-1);
    }
  });

  it('canonicalizes IPv6 per RFC 5952', () => {
    expect(canonicalIp('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(canonicalIp('::1')).toBe('::1');
    expect(canonicalIp('::')).toBe('::');
    expect(canonicalIp('::ffff:10.0.0.1')).toBe('::ffff:10.0.0.1');
    expect(canonicalIp('1:0:0:1:0:0:0:1')).toBe('1:0:0:1::1');
    expect(canonicalIp('1::2::3')).toBeUndefined();
    expect(canonicalIp('12345::')).toBeUndefined();
    expect(formatIp(parseIp('fe80::1') as Uint8Array)).toBe('fe80::1');
  });

  it('matches networks, IPv4 and IPv6, and rejects bad prefixes', () => {
    const net = parseNetwork('172.16.0.0/12');
    expect(net).toBeDefined();
    expect(networkContains(net as never, '172.31.255.1')).toBe(true);
    expect(networkContains(net as never, '172.32.0.1')).toBe(false);
    expect(networkContains(parseNetwork('0.0.0.0/0') as never, '8.8.8.8')).toBe(true);
    expect(networkContains(parseNetwork('10.0.0.1') as never, '10.0.0.1')).toBe(true);
    expect(networkContains(parseNetwork('10.0.0.1') as never, '10.0.0.2')).toBe(false);
    const v6 = parseNetwork('fd00::/8');
    expect(networkContains(v6 as never, 'fd12:3456::1')).toBe(true);
    expect(networkContains(v6 as never, 'fe80::1')).toBe(false);
    expect(networkContains(v6 as never, '10.0.0.1')).toBe(false);
    expect(parseNetwork('10.0.0.0/33')).toBeUndefined();
    expect(parseNetwork('10.0.0.0/x')).toBeUndefined();
  });
});
