import { compareDigits, compareText } from '../compare-parts.js';
import { defineScheme } from '../scheme.js';
import type { Ordering } from '../types.js';

/** A PEP 440 version, normalized: labels spelled canonically, implicit numbers made explicit. */
export interface Pep440Version {
  epoch: string;
  release: string[];
  pre: { label: 'a' | 'b' | 'rc'; number: string } | undefined;
  post: string | undefined;
  dev: string | undefined;
  local: string[] | undefined;
}

// The permissive grammar of PEP 440 (appendix "parsing version strings with regular expressions").
const VERSION = new RegExp(
  [
    '^\\s*v?',
    '(?:([0-9]+)!)?',
    '([0-9]+(?:\\.[0-9]+)*)',
    '(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?([0-9]+)?)?',
    '(?:-([0-9]+)|[-_.]?(post|rev|r)[-_.]?([0-9]+)?)?',
    '(?:[-_.]?(dev)[-_.]?([0-9]+)?)?',
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?',
    '\\s*$',
  ].join(''),
  'i',
);

const PRE_LABELS: Record<string, 'a' | 'b' | 'rc'> = {
  a: 'a',
  alpha: 'a',
  b: 'b',
  beta: 'b',
  c: 'rc',
  rc: 'rc',
  pre: 'rc',
  preview: 'rc',
};

export function parsePep440(v: string): Pep440Version | undefined {
  const m = VERSION.exec(v);
  if (!m) return undefined;
  const [
    ,
    epoch,
    release = '',
    preLabel,
    preNumber,
    postDash,
    postLabel,
    postNumber,
    devLabel,
    devNumber,
    local,
  ] = m;
  const pre = preLabel === undefined ? undefined : PRE_LABELS[preLabel.toLowerCase()];
  return {
    epoch: normalizeNumber(epoch ?? '0'),
    release: release.split('.').map(normalizeNumber),
    pre: pre === undefined ? undefined : { label: pre, number: normalizeNumber(preNumber ?? '0') },
    post:
      postDash !== undefined
        ? normalizeNumber(postDash)
        : postLabel !== undefined
          ? normalizeNumber(postNumber ?? '0')
          : undefined,
    dev: devLabel === undefined ? undefined : normalizeNumber(devNumber ?? '0'),
    local:
      local === undefined
        ? undefined
        : local
            .toLowerCase()
            .split(/[-_.]/)
            .map((part) => (/^[0-9]+$/.test(part) ? normalizeNumber(part) : part)),
  };
}

function normalizeNumber(digits: string): string {
  return digits.replace(/^0+(?=[0-9])/, '');
}

function compareRelease(a: string[], b: string[]): Ordering {
  // Trailing zeros do not count: 1.0 == 1.0.0.
  const trim = (r: string[]) => {
    let end = r.length;
    while (end > 0 && r[end - 1] === '0') end--;
    return r.slice(0, end);
  };
  const x = trim(a);
  const y = trim(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const order = compareDigits(x[i] ?? '0', y[i] ?? '0');
    if (order !== 0) return order;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

/** Rank of the pre-release slot: a dev release of the final version (1.0.dev1) precedes all its pre-releases. */
function preRank(v: Pep440Version): number {
  if (v.pre) return 0;
  return v.post === undefined && v.dev !== undefined ? -1 : 1;
}

function comparePre(a: Pep440Version, b: Pep440Version): Ordering {
  const rank = preRank(a) - preRank(b);
  if (rank !== 0) return rank < 0 ? -1 : 1;
  if (!a.pre || !b.pre) return 0;
  return compareText(a.pre.label, b.pre.label) || compareDigits(a.pre.number, b.pre.number);
}

/** Absent sorts first (no post release) or last (no dev release), as `missing` says. */
function compareOptional(a: string | undefined, b: string | undefined, missing: -1 | 1): Ordering {
  if (a === undefined || b === undefined) {
    if (a === b) return 0;
    return a === undefined ? missing : missing === -1 ? 1 : -1;
  }
  return compareDigits(a, b);
}

/** Local labels: numbers sort above words, numbers by value, words alphabetically; more segments win a tie. */
function compareLocal(a: string[] | undefined, b: string[] | undefined): Ordering {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    const xNumeric = /^[0-9]+$/.test(x);
    const yNumeric = /^[0-9]+$/.test(y);
    const order =
      xNumeric && yNumeric
        ? compareDigits(x, y)
        : xNumeric !== yNumeric
          ? xNumeric
            ? 1
            : -1
          : compareText(x, y);
    if (order !== 0) return order;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function comparePep440(a: Pep440Version, b: Pep440Version): Ordering {
  return (
    compareDigits(a.epoch, b.epoch) ||
    compareRelease(a.release, b.release) ||
    comparePre(a, b) ||
    compareOptional(a.post, b.post, -1) ||
    compareOptional(a.dev, b.dev, 1) ||
    compareLocal(a.local, b.local)
  );
}

/** The canonical spelling of PEP 440 ("1.0-RC.1" is 1.0rc1). */
export function normalizePep440(v: Pep440Version): string {
  return [
    v.epoch === '0' ? '' : `${v.epoch}!`,
    v.release.join('.'),
    v.pre ? `${v.pre.label}${v.pre.number}` : '',
    v.post === undefined ? '' : `.post${v.post}`,
    v.dev === undefined ? '' : `.dev${v.dev}`,
    v.local === undefined ? '' : `+${v.local.join('.')}`,
  ].join('');
}

export const pep440 = defineScheme<Pep440Version>({
  name: 'pep440',
  parse: parsePep440,
  compareParsed: comparePep440,
  describeParsed: normalizePep440,
});
