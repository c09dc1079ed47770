/**
 * fnmatch(3) without flags, as libsinsp's `glob` uses it: `*` matches any run of characters
 * (slashes included), `?` one character, `[...]` a set (`!` or `^` negates, ranges, `]` first
 * is literal), a backslash quotes the next character. Matching backtracks only to the last
 * star, so time is bounded by pattern length × text length.
 */

type Token =
  | { readonly kind: 'lit'; readonly ch: string }
  | { readonly kind: 'any' }
  | { readonly kind: 'star' }
  | { readonly kind: 'set'; readonly negate: boolean; readonly test: (c: string) => boolean };

export type GlobMatcher = (text: string) => boolean;

function parse(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') {
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (c === '?') {
      tokens.push({ kind: 'any' });
    } else if (c === '\\' && i + 1 < pattern.length) {
      i++;
      tokens.push({ kind: 'lit', ch: pattern[i] as string });
    } else if (c === '[') {
      const set = parseSet(pattern, i + 1);
      if (set === undefined) tokens.push({ kind: 'lit', ch: '[' });
      else {
        tokens.push(set.token);
        i = set.end;
      }
    } else {
      tokens.push({ kind: 'lit', ch: c });
    }
  }
  return tokens;
}

/** A bracket expression starting after '['; undefined when it is not closed (then '[' is literal). */
function parseSet(pattern: string, start: number): { token: Token; end: number } | undefined {
  let i = start;
  let negate = false;
  if (pattern[i] === '!' || pattern[i] === '^') {
    negate = true;
    i++;
  }
  const singles = new Set<string>();
  const ranges: [string, string][] = [];
  let first = true;
  while (i < pattern.length) {
    let c = pattern[i] as string;
    if (c === ']' && !first) {
      const test = (ch: string): boolean =>
        singles.has(ch) || ranges.some(([lo, hi]) => ch >= lo && ch <= hi);
      return { token: { kind: 'set', negate, test }, end: i };
    }
    first = false;
    if (c === '\\' && i + 1 < pattern.length) {
      i++;
      c = pattern[i] as string;
    }
    if (pattern[i + 1] === '-' && i + 2 < pattern.length && pattern[i + 2] !== ']') {
      let hi = pattern[i + 2] as string;
      let next = i + 3;
      if (hi === '\\' && i + 3 < pattern.length) {
        hi = pattern[i + 3] as string;
        next = i + 4;
      }
      ranges.push([c, hi]);
      i = next;
    } else {
      singles.add(c);
      i++;
    }
  }
  return undefined;
}

function matchToken(t: Token, c: string): boolean {
  switch (t.kind) {
    case 'lit':
      return t.ch === c;
    case 'any':
      return true;
    case 'set':
      return t.test(c) !== t.negate;
    default:
      return false;
  }
}

export function compileGlob(pattern: string, caseInsensitive = false): GlobMatcher {
  const tokens = parse(caseInsensitive ? pattern.toLowerCase() : pattern);
  if (tokens.every((t) => t.kind === 'lit')) {
    const literal = tokens.map((t) => (t as { ch: string }).ch).join('');
    return caseInsensitive ? (text) => text.toLowerCase() === literal : (text) => text === literal;
  }
  const match = (text: string): boolean => {
    let ti = 0;
    let pi = 0;
    let starPi = -1;
    let starTi = 0;
    while (ti < text.length) {
      const t = tokens[pi];
      if (t !== undefined && t.kind === 'star') {
        starPi = pi++;
        starTi = ti;
      } else if (t !== undefined && matchToken(t, text[ti] as string)) {
        pi++;
        ti++;
      } else if (starPi >= 0) {
        pi = starPi + 1;
        ti = ++starTi;
      } else {
        return false;
      }
    }
    while (tokens[pi]?.kind === 'star') pi++;
    return pi === tokens.length;
  };
  return caseInsensitive ? (text) => match(text.toLowerCase()) : match;
}

/** Whether the pattern uses any wildcard (a component of a pmatch path, for instance). */
export function hasGlobChars(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}
