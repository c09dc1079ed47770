/**
 * IP addresses and networks for the `fd.*ip` and `fd.*net` fields. Addresses travel as
 * canonical text (the event model's contract); networks are parsed once, at compile time.
 */

export interface IpNetwork {
  readonly v4: boolean;
  /** 4 or 16 bytes, host bits cleared. */
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

/** Parses dotted IPv4 without allocating; -1 when `s` is not one. */
export function parseIpv4(s: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      digits++;
      if (part > 255 || digits > 3) return -1;
    } else if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

/** Parses IPv6 text (with `::` and an embedded IPv4 tail) into 16 bytes. */
export function parseIpv6(s: string): Uint8Array | undefined {
  if (s.length < 2 || s.length > 45) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (text: string): number[] | undefined => {
    if (text === '') return [];
    const groups: number[] = [];
    const parts = text.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] as string;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (v4 < 0) return undefined;
        groups.push(Math.floor(v4 / 65536), v4 % 65536);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        groups.push(Number.parseInt(p, 16));
      }
    }
    return groups;
  };
  const head = parseGroups(halves[0] as string);
  const tail = halves.length === 2 ? parseGroups(halves[1] as string) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

function ipv4Bytes(v: number): Uint8Array {
  return Uint8Array.of(Math.floor(v / 16777216) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
}

/** 4 or 16 bytes, or undefined when `s` is not an address. */
export function parseIp(s: string): Uint8Array | undefined {
  const v4 = parseIpv4(s);
  if (v4 >= 0) return ipv4Bytes(v4);
  return parseIpv6(s);
}

/** RFC 5952 text for IPv6 (lowercase, longest zero run compressed), dotted quad for IPv4. */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  const isMappedV4 = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (isMappedV4) return `::ffff:${Array.from(bytes.subarray(12)).join('.')}`;
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Canonical text of an address, or undefined when `s` is not one. */
export function canonicalIp(s: string): string | undefined {
  const bytes = parseIp(s);
  return bytes === undefined ? undefined : formatIp(bytes);
}

/** `10.0.0.0/8`, `fd00::/8`; a bare address is a host network. */
export function parseNetwork(s: string): IpNetwork | undefined {
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const bytes = parseIp(addr);
  if (bytes === undefined) return undefined;
  const max = bytes.length * 8;
  let prefix = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    if (prefix > max) return undefined;
  }
  const masked = new Uint8Array(bytes);
  for (let bit = prefix; bit < max; bit++)
    masked[bit >> 3] = (masked[bit >> 3] as number) & ~(0x80 >> (bit & 7));
  return { v4: bytes.length === 4, bytes: masked, prefix };
}

/** Whether the address text `ip` lies in `net`. */
export function networkContains(net: IpNetwork, ip: string): boolean {
  if (net.v4) {
    const v = parseIpv4(ip);
    if (v < 0) return false;
    if (net.prefix === 0) return true;
    const base =
      (net.bytes[0] as number) * 16777216 +
      ((net.bytes[1] as number) << 16) +
      ((net.bytes[2] as number) << 8) +
      (net.bytes[3] as number);
    const size = 2 ** (32 - net.prefix);
    return Math.floor(v / size) === Math.floor(base / size);
  }
  const bytes = parseIpv6(ip);
  if (bytes === undefined) return false;
  for (let bit = 0; bit < net.prefix; bit += 8) {
    const remaining = net.prefix - bit;
    const mask = remaining >= 8 ? 0xff : (0xff << (8 - remaining)) & 0xff;
    if (((bytes[bit >> 3] as number) & mask) !== net.bytes[bit >> 3]) return false;
  }
  return true;
}
