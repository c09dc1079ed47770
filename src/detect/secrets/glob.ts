import { CeranaError } from '../../common/errors.js';

/**
 * Path globs for rule and allow-list filters, matched against image paths (relative to the
 * root, no leading `/`). Supported: `*` and `?` within a segment, `**` for any number of
 * segments (zero included), `{a,b}` alternatives. Matching walks segments with the classic
 * wildcard backtracking, so its cost is bounded by path length times pattern length —
 * user-supplied globs are never turned into regexes.
 */
export class Glob {
  private readonly alternatives: string[][];

  constructor(readonly pattern: string) {
    if (pattern.length === 0 || pattern.length > 512) {
      throw new CeranaError('INPUT', `path glob must have 1 to 512 characters: ${JSON.stringify(pattern)}`);
    }
    const normalized = pattern.startsWith('/') ? pattern.slice(1) : pattern;
    this.alternatives = expandBraces(normalized, pattern).map((p) => p.split('/'));
  }

  matches(path: string): boolean {
    return this.matchesSegments(path.split('/'));
  }

  matchesSegments(segments: readonly string[]): boolean {
    for (const pattern of this.alternatives) if (matchSegments(pattern, segments)) return true;
    return false;
  }
}

/** True when any glob matches (the path is split once for all of them). */
export function anyGlob(globs: readonly Glob[], path: string): boolean {
  if (globs.length === 0) return false;
  const segments = path.split('/');
  for (const glob of globs) if (glob.matchesSegments(segments)) return true;
  return false;
}

const MAX_EXPANSIONS = 64;

function expandBraces(pattern: string, original: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  const close = pattern.indexOf('}', open);
  if (close < 0) throw new CeranaError('INPUT', `unbalanced '{' in path glob ${JSON.stringify(original)}`);
  const options = pattern.slice(open + 1, close).split(',');
  const head = pattern.slice(0, open);
  const tails = expandBraces(pattern.slice(close + 1), original);
  const out: string[] = [];
  for (const option of options) {
    for (const tail of tails) {
      out.push(head + option + tail);
      if (out.length > MAX_EXPANSIONS) {
        throw new CeranaError(
          'INPUT',
          `path glob ${JSON.stringify(original)} expands to too many alternatives`,
        );
      }
    }
  }
  return out;
}

function matchSegments(pattern: readonly string[], path: readonly string[]): boolean {
  let p = 0;
  let s = 0;
  let starP = -1;
  let starS = 0;
  while (s < path.length) {
    const seg = pattern[p];
    if (seg === '**') {
      starP = p++;
      starS = s;
    } else if (seg !== undefined && matchSegment(seg, path[s] as string)) {
      p++;
      s++;
    } else if (starP >= 0) {
      p = starP + 1;
      s = ++starS;
    } else return false;
  }
  while (pattern[p] === '**') p++;
  return p === pattern.length;
}

function matchSegment(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c === '*') {
      starP = p++;
      starT = t;
    } else if (c !== undefined && (c === '?' || c === text[t])) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}
