import { compareDigits, compareText } from '../compare-parts.js';
import { defineScheme } from '../scheme.js';
import type { Ordering } from '../types.js';

/** A NuGet version: up to four numbers (missing ones are 0), release labels, metadata (not compared). */
export interface NuGetVersion {
  numbers: [string, string, string, string];
  labels: string[];
  metadata: string | undefined;
}

const IDENTIFIER = '[0-9A-Za-z-]+';
const VERSION = new RegExp(
  `^([0-9]+(?:\\.[0-9]+){0,3})(?:-(${IDENTIFIER}(?:\\.${IDENTIFIER})*))?(?:\\+(${IDENTIFIER}(?:\\.${IDENTIFIER})*))?$`,
);
const INT32_MAX = '2147483647';

/**
 * Parses like NuGet.Versioning's NuGetVersion: surrounding whitespace trimmed, 1 to 4 numeric
 * parts (leading zeros allowed: 1.01 is 1.1), each a 32-bit integer; release labels of
 * [0-9A-Za-z-] where a numeric label has no leading zero (SemVer 2.0.0).
 */
export function parseNuGetVersion(input: string): NuGetVersion | undefined {
  const m = VERSION.exec(input.trim());
  if (!m) return undefined;
  const [, core = '', labels, metadata] = m;
  const parts = core.split('.').map((n) => n.replace(/^0+(?=[0-9])/, ''));
  if (parts.some((n) => compareDigits(n, INT32_MAX) > 0)) return undefined;
  const labelList = labels === undefined ? [] : labels.split('.');
  if (labelList.some((label) => /^0[0-9]+$/.test(label))) return undefined;
  return {
    numbers: [parts[0] ?? '0', parts[1] ?? '0', parts[2] ?? '0', parts[3] ?? '0'],
    labels: labelList,
    metadata,
  };
}

const INT32 = /^-?[0-9]+$/;
const INT32_MIN = -(2 ** 31);

/** NuGet treats a label as a number when .NET's Int32.TryParse does: optional minus, within 32 bits. */
function labelNumber(label: string): number | undefined {
  if (!INT32.test(label)) return undefined;
  const n = Number(label);
  return n >= INT32_MIN && n <= 2 ** 31 - 1 ? n : undefined;
}

/** Numbers below words; numbers by value; words ordinal ignoring case (SemVer 2.0 as NuGet implements it). */
function compareLabel(a: string, b: string): Ordering {
  const x = labelNumber(a);
  const y = labelNumber(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  if (x !== undefined || y !== undefined) return x !== undefined ? -1 : 1;
  return compareText(a.toUpperCase(), b.toUpperCase());
}

export function compareNuGet(a: NuGetVersion, b: NuGetVersion): Ordering {
  for (let i = 0; i < 4; i++) {
    const order = compareDigits(a.numbers[i] ?? '0', b.numbers[i] ?? '0');
    if (order !== 0) return order;
  }
  if (a.labels.length === 0 || b.labels.length === 0) {
    return a.labels.length === b.labels.length ? 0 : a.labels.length === 0 ? 1 : -1;
  }
  for (let i = 0; i < Math.min(a.labels.length, b.labels.length); i++) {
    const order = compareLabel(a.labels[i] ?? '', b.labels[i] ?? '');
    if (order !== 0) return order;
  }
  return a.labels.length === b.labels.length ? 0 : a.labels.length < b.labels.length ? -1 : 1;
}

/** NuGet's normalized form: a zero fourth part is dropped, metadata is not part of the identity. */
function normalizedNuGet(v: NuGetVersion): string {
  const numbers = v.numbers[3] === '0' ? v.numbers.slice(0, 3) : v.numbers;
  return numbers.join('.') + (v.labels.length > 0 ? `-${v.labels.join('.')}` : '');
}

export const nuget = defineScheme<NuGetVersion>({
  name: 'nuget',
  parse: parseNuGetVersion,
  compareParsed: compareNuGet,
  describeParsed: (v) =>
    `normalized ${normalizedNuGet(v)}${v.metadata === undefined ? '' : `, metadata ${v.metadata} (ignored)`}`,
});
