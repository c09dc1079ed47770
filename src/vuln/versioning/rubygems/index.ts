import { compareDigits, compareText } from '../compare-parts.js';
import { defineScheme } from '../scheme.js';
import type { Ordering } from '../types.js';

/** One segment of a gem version: a number (as digits) or a run of letters. */
export type GemSegment = { kind: 'number'; digits: string } | { kind: 'letters'; text: string };

// Gem::Version's grammar: numeric release, dotted alphanumerics, optional "-" pre-release part.
// Surrounding whitespace is allowed and an empty string means version 0.
const VERSION =
  /^[ \t\r\n\f\v]*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?[ \t\r\n\f\v]*$/;
const SEGMENT = /[0-9]+|[a-z]+/gi;

function dropTrailingZeros(segments: GemSegment[]): GemSegment[] {
  let end = segments.length;
  while (end > 0) {
    const last = segments[end - 1];
    if (last?.kind !== 'number' || last.digits !== '0') break;
    end--;
  }
  return segments.slice(0, end);
}

/**
 * The canonical segments Gem::Version compares: "-" reads as ".pre.", the version splits into
 * its numeric release and the part from the first letters on, and each part loses trailing zeros
 * (so 1.0 == 1 and 1.0.a.0 == 1.a).
 */
export function parseGemVersion(v: string): GemSegment[] | undefined {
  const m = VERSION.exec(v);
  if (!m) return undefined;
  const text = (m[1] ?? '0').replaceAll('-', '.pre.');
  const segments: GemSegment[] = (text.match(SEGMENT) ?? []).map((s) =>
    /^[0-9]/.test(s)
      ? { kind: 'number', digits: s.replace(/^0+(?=[0-9])/, '') }
      : { kind: 'letters', text: s },
  );
  const firstLetters = segments.findIndex((s) => s.kind === 'letters');
  if (firstLetters < 0) return dropTrailingZeros(segments);
  return [
    ...dropTrailingZeros(segments.slice(0, firstLetters)),
    ...dropTrailingZeros(segments.slice(firstLetters)),
  ];
}

const ZERO: GemSegment = { kind: 'number', digits: '0' };

/** Segment by segment, a missing one counting as 0; letters sort below numbers (pre-releases). */
export function compareGemVersions(a: GemSegment[], b: GemSegment[]): Ordering {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? ZERO;
    const y = b[i] ?? ZERO;
    if (x.kind === 'number' && y.kind === 'number') {
      const order = compareDigits(x.digits, y.digits);
      if (order !== 0) return order;
    } else if (x.kind === 'letters' && y.kind === 'letters') {
      const order = compareText(x.text, y.text);
      if (order !== 0) return order;
    } else {
      return x.kind === 'letters' ? -1 : 1;
    }
  }
  return 0;
}

export const rubygems = defineScheme<GemSegment[]>({
  name: 'rubygems',
  parse: parseGemVersion,
  compareParsed: compareGemVersions,
  describeParsed: (segments) => {
    const text = segments.map((s) => (s.kind === 'number' ? s.digits : s.text)).join('.') || '0';
    return segments.some((s) => s.kind === 'letters') ? `pre-release ${text}` : `release ${text}`;
  },
});
