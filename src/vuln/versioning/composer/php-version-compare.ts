import type { Ordering } from '../types.js';

// PHP's version_compare(), the order Composer applies to normalized versions.

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isAlnum(c: string): boolean {
  return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/** "1.0-beta2" → "1.0.beta.2": `-`, `_`, `+` and other symbols become dots, and so do digit/letter transitions. */
export function canonicalizePhpVersion(version: string): string {
  if (version === '') return '';
  let out = version[0] ?? '';
  let previous = out;
  for (const c of version.slice(1)) {
    const lastOut = out[out.length - 1];
    const transition =
      (previous !== '.' && !isDigit(previous) && isDigit(c)) ||
      (isDigit(previous) && c !== '.' && !isDigit(c));
    if (c === '-' || c === '_' || c === '+') {
      if (lastOut !== '.') out += '.';
    } else if (transition) {
      if (lastOut !== '.') out += '.';
      out += c;
    } else if (!isAlnum(c)) {
      if (lastOut !== '.') out += '.';
    } else {
      out += c;
    }
    previous = c;
  }
  return out;
}

// Words are matched by prefix, in this order ("alphax" is alpha, "patch" is p); a number ranks as "#".
const SPECIAL_FORMS: [string, number][] = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];

function specialFormRank(form: string): number {
  for (const [name, rank] of SPECIAL_FORMS) {
    if (form.startsWith(name)) return rank;
  }
  return -1;
}

function compareSpecialForms(a: string, b: string): Ordering {
  return Math.sign(specialFormRank(a) - specialFormRank(b)) as Ordering;
}

const LONG_MAX = 2n ** 63n - 1n;

/** strtol on a run starting with digits: the leading digits, saturated at LONG_MAX. */
function phpLong(part: string): bigint {
  const digits = /^[0-9]+/.exec(part)?.[0] ?? '0';
  const value = BigInt(digits);
  return value > LONG_MAX ? LONG_MAX : value;
}

const NUMBER_FORM = '#N#';

function comparePart(p: string, q: string): Ordering {
  if (isDigit(p[0]) && isDigit(q[0])) {
    const l1 = phpLong(p);
    const l2 = phpLong(q);
    return l1 < l2 ? -1 : l1 > l2 ? 1 : 0;
  }
  if (!isDigit(p[0]) && !isDigit(q[0])) return compareSpecialForms(p, q);
  return isDigit(p[0]) ? compareSpecialForms(NUMBER_FORM, q) : compareSpecialForms(p, NUMBER_FORM);
}

export function phpVersionCompare(a: string, b: string): Ordering {
  if (a === '' || b === '') return a === b ? 0 : a === '' ? -1 : 1;
  const x = (a.startsWith('#') ? a : canonicalizePhpVersion(a)).split('.');
  const y = (b.startsWith('#') ? b : canonicalizePhpVersion(b)).split('.');
  let i = 0;
  let j = 0;
  let moreX = true;
  let moreY = true;
  // Part by part while both sides still had a dot and neither has run out of text.
  const textLeft = (parts: string[], k: number) => k < parts.length - 1 || parts[k] !== '';
  while (moreX && moreY && textLeft(x, i) && textLeft(y, j)) {
    moreX = i < x.length - 1;
    moreY = j < y.length - 1;
    const order = comparePart(x[i] ?? '', y[j] ?? '');
    if (order !== 0) return order;
    if (moreX) i++;
    if (moreY) j++;
  }
  // One side has parts left: a number makes it newer, a word is ranked against a number.
  if (moreX) {
    const rest = x.slice(i).join('.');
    return isDigit(rest[0]) ? 1 : phpVersionCompare(rest, NUMBER_FORM);
  }
  if (moreY) {
    const rest = y.slice(j).join('.');
    return isDigit(rest[0]) ? -1 : phpVersionCompare(NUMBER_FORM, rest);
  }
  return 0;
}
