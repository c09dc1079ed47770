import { compareDigits, compareText } from '../compare-parts.js';
import { defineScheme } from '../scheme.js';
import type { Ordering } from '../types.js';

/** An RPM EVR: [epoch:]version[-release]. */
export interface RpmVersion {
  epoch: string;
  version: string;
  release: string | undefined;
}

const EPOCH = /^([0-9]*):/;
const WHITESPACE = /\s/;

/** Splits like rpm: an all-digit prefix before `:` is the epoch, the text after the last `-` the release. */
export function parseRpmVersion(input: string): RpmVersion | undefined {
  const evr = input.trim();
  if (evr === '' || WHITESPACE.test(evr)) return undefined;
  const epochMatch = EPOCH.exec(evr);
  const epoch = epochMatch?.[1] || '0';
  const rest = epochMatch ? evr.slice(epochMatch[0].length) : evr;
  const hyphen = rest.lastIndexOf('-');
  const version = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const release = hyphen >= 0 ? rest.slice(hyphen + 1) : undefined;
  if (version === '' || release === '') return undefined;
  return { epoch, version, release };
}

function isAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isDigitAt(s: string, i: number): boolean {
  const code = s.charCodeAt(i);
  return code >= 48 && code <= 57;
}

const TILDE = 126;
const CARET = 94;

/**
 * rpmvercmp: segments of digits or letters, anything else separates them. `~` sorts before
 * everything (even the end: 1.0~rc1 < 1.0), `^` after the end but before any further segment
 * (1.0 < 1.0^git1 < 1.0.1), a number beats letters, and whichever side has segments left wins.
 */
export function rpmvercmp(a: string, b: string): Ordering {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (
      i < a.length &&
      !isAlnum(a.charCodeAt(i)) &&
      a.charCodeAt(i) !== TILDE &&
      a.charCodeAt(i) !== CARET
    )
      i++;
    while (
      j < b.length &&
      !isAlnum(b.charCodeAt(j)) &&
      b.charCodeAt(j) !== TILDE &&
      b.charCodeAt(j) !== CARET
    )
      j++;
    const ca = i < a.length ? a.charCodeAt(i) : 0;
    const cb = j < b.length ? b.charCodeAt(j) : 0;
    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === CARET || cb === CARET) {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = isDigitAt(a, i);
    const startA = i;
    const startB = j;
    const inSegment = numeric
      ? isDigitAt
      : (s: string, k: number) => isAlnum(s.charCodeAt(k)) && !isDigitAt(s, k);
    while (i < a.length && inSegment(a, i)) i++;
    while (j < b.length && inSegment(b, j)) j++;
    // Segments of different kinds: the numeric one is newer.
    if (j === startB) return numeric ? 1 : -1;
    const order = numeric
      ? compareDigits(a.slice(startA, i), b.slice(startB, j))
      : compareText(a.slice(startA, i), b.slice(startB, j));
    if (order !== 0) return order;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/** Epoch, then version, then release; a missing release sorts before any release, as rpm does. */
export function compareRpm(a: RpmVersion, b: RpmVersion): Ordering {
  const byEpochAndVersion = compareDigits(a.epoch, b.epoch) || rpmvercmp(a.version, b.version);
  if (byEpochAndVersion !== 0) return byEpochAndVersion;
  if (a.release === undefined || b.release === undefined) {
    return a.release === b.release ? 0 : a.release === undefined ? -1 : 1;
  }
  return rpmvercmp(a.release, b.release);
}

export const rpm = defineScheme<RpmVersion>({
  name: 'rpm',
  parse: parseRpmVersion,
  compareParsed: compareRpm,
  describeParsed: (v) =>
    `epoch ${v.epoch}, version "${v.version}", release ${v.release === undefined ? '(none)' : `"${v.release}"`}`,
});
