import type { Ordering } from './types.js';

export function sign(n: number): Ordering {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

const LEADING_ZEROS = /^0+/;

/**
 * Compares two strings of ASCII digits as unbounded integers (leading zeros ignored):
 * version parts often exceed 2^53 (dates, build stamps), so they are never parsed to numbers.
 */
export function compareDigits(a: string, b: string): Ordering {
  const x = a.replace(LEADING_ZEROS, '');
  const y = b.replace(LEADING_ZEROS, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Plain code-unit order, as C's strcmp on ASCII. */
export function compareText(a: string, b: string): Ordering {
  return a < b ? -1 : a > b ? 1 : 0;
}
