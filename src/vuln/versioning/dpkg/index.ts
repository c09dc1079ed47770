import { compareDigits } from '../compare-parts.js';
import { defineScheme } from '../scheme.js';
import type { Ordering } from '../types.js';

/** A Debian version: [epoch:]upstream[-revision] (deb-version(7)). */
export interface DpkgVersion {
  epoch: string;
  upstream: string;
  revision: string;
}

const DIGITS = /^[0-9]+$/;
const WHITESPACE = /\s/;
const MAX_EPOCH = 2 ** 31 - 1;

/**
 * Parses like dpkg does: surrounding whitespace ignored; errors (embedded spaces, empty parts,
 * non-numeric or oversized epoch) reject the version, while dpkg's mere warnings (a version not
 * starting with a digit, unusual characters) do not, because dpkg still compares such versions.
 */
export function parseDpkgVersion(input: string): DpkgVersion | undefined {
  const v = input.trim();
  if (v === '' || WHITESPACE.test(v)) return undefined;
  let rest = v;
  let epoch = '0';
  const colon = v.indexOf(':');
  if (colon >= 0) {
    epoch = v.slice(0, colon);
    rest = v.slice(colon + 1);
    if (!DIGITS.test(epoch) || Number(epoch) > MAX_EPOCH || rest === '') return undefined;
  }
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (upstream === '' || (hyphen >= 0 && revision === '')) return undefined;
  return { epoch, upstream, revision };
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** Weight of one character in a non-digit run: ~ before the end, the end before letters, letters before the rest. */
function weight(s: string, i: number): number {
  if (i >= s.length) return 0;
  const code = s.charCodeAt(i);
  if (isDigit(code)) return 0;
  if (isLetter(code)) return code;
  if (code === 126 /* ~ */) return -1;
  return code + 256;
}

/** The deb-version(7) algorithm: alternate non-digit runs (by weight) and digit runs (numerically). */
export function compareDpkgPart(a: string, b: string): Ordering {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const wa = weight(a, i);
      const wb = weight(b, j);
      if (wa !== wb) return wa < wb ? -1 : 1;
      i++;
      j++;
    }
    const startA = i;
    const startB = j;
    while (i < a.length && isDigit(a.charCodeAt(i))) i++;
    while (j < b.length && isDigit(b.charCodeAt(j))) j++;
    const order = compareDigits(a.slice(startA, i), b.slice(startB, j));
    if (order !== 0) return order;
  }
  return 0;
}

export function compareDpkg(a: DpkgVersion, b: DpkgVersion): Ordering {
  return (
    compareDigits(a.epoch, b.epoch) ||
    compareDpkgPart(a.upstream, b.upstream) ||
    compareDpkgPart(a.revision, b.revision)
  );
}

export const dpkg = defineScheme<DpkgVersion>({
  name: 'dpkg',
  parse: parseDpkgVersion,
  compareParsed: compareDpkg,
  describeParsed: (v) => `epoch ${v.epoch}, upstream "${v.upstream}", revision "${v.revision}"`,
});
