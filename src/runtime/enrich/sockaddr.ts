/**
 * Socket addresses as the kernel stores them (network byte order, read as little-endian
 * words by the sensor) to the text forms Falco prints.
 */

/** A 16-bit value in network byte order, read as a little-endian number, in host order. */
export function ntohs(v: number): number {
  return ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
}

/** Dotted IPv4 text from the address word as read from memory on a little-endian host. */
export function ipv4Text(word: number): string {
  return `${word & 0xff}.${(word >>> 8) & 0xff}.${(word >>> 16) & 0xff}.${(word >>> 24) & 0xff}`;
}

/** The eight 16-bit groups of an IPv6 address given as four little-endian 32-bit words. */
function groups(words: readonly number[]): number[] {
  const out: number[] = [];
  for (const w of words) {
    out.push(((w & 0xff) << 8) | ((w >>> 8) & 0xff), (((w >>> 16) & 0xff) << 8) | ((w >>> 24) & 0xff));
  }
  return out;
}

/** An IPv4 address mapped into IPv6 (`::ffff:a.b.c.d`): its IPv4 word, else undefined. */
export function mappedIpv4(words: readonly number[]): number | undefined {
  const [w0 = 0, w1 = 0, w2 = 0, w3 = 0] = words;
  return w0 === 0 && w1 === 0 && w2 >>> 0 === 0xffff0000 ? w3 : undefined;
}

/** RFC 5952 text: lower case, leading zeros dropped, the longest run (2+) of zero groups as `::`. */
export function ipv6Text(words: readonly number[]): string {
  const g = groups(words);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) =>
    g
      .slice(from, to)
      .map((x) => x.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}
