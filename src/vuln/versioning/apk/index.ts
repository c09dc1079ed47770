import { defineScheme } from '../scheme.js';
import type { Ordering } from '../types.js';

/**
 * Alpine versions: number{.number}...{letter}{_suffix{number}}...{-r#} (apk-package(5)).
 * apk reads a version as a run of tokens whose kind follows from the character before it;
 * two versions compare token by token, and where one ends or switches kind first, the kind
 * decides. The kinds, in the order that decides (earlier = the version goes on = newer):
 */
const KINDS = ['dotted', 'number', 'letter', 'suffix', 'suffixNumber', 'revision', 'end'] as const;
type Kind = (typeof KINDS)[number];

/** A token's value and the kind of the token after it. */
export interface ApkToken {
  value: bigint;
  next: Kind;
}

const PRE_RELEASE_SUFFIXES = ['alpha', 'beta', 'pre', 'rc'];
const POST_RELEASE_SUFFIXES = ['cvs', 'svn', 'git', 'hg', 'p'];

const rank = (kind: Kind): number => KINDS.indexOf(kind);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isLower = (c: string | undefined): boolean => c !== undefined && c >= 'a' && c <= 'z';

/** Suffix values: pre-releases negative (alpha -4 … rc -1), post-releases from 0 (cvs … p). */
function readSuffix(v: string, at: number): { value: bigint; length: number } | undefined {
  const pre = PRE_RELEASE_SUFFIXES.findIndex((s) => v.startsWith(s, at));
  if (pre >= 0)
    return {
      value: BigInt(pre - PRE_RELEASE_SUFFIXES.length),
      length: PRE_RELEASE_SUFFIXES[pre]?.length ?? 0,
    };
  const post = POST_RELEASE_SUFFIXES.findIndex((s) => v.startsWith(s, at));
  if (post >= 0) return { value: BigInt(post), length: POST_RELEASE_SUFFIXES[post]?.length ?? 0 };
  return undefined;
}

/** Which kind of token starts at `at`, given the kind just read, and how many separator characters to skip. */
function nextKind(v: string, at: number, current: Kind): { kind: Kind; skip: number } | undefined {
  const c = v[at];
  let kind: Kind | undefined;
  let skip = 1;
  if ((current === 'number' || current === 'dotted') && isLower(c)) [kind, skip] = ['letter', 0];
  else if (current === 'letter' && isDigit(c)) [kind, skip] = ['number', 0];
  else if (current === 'suffix' && isDigit(c)) [kind, skip] = ['suffixNumber', 0];
  else if (c === '.') kind = 'dotted';
  else if (c === '_') kind = 'suffix';
  else if (c === '-' && v[at + 1] === 'r') [kind, skip] = ['revision', 2];
  if (kind === undefined) return undefined;
  // Going back to an earlier kind is only allowed for a new dotted number, suffix, or digits after a letter.
  const backwardsAllowed =
    (kind === 'dotted' && current === 'number') ||
    (kind === 'suffix' && current === 'suffixNumber') ||
    (kind === 'number' && current === 'letter');
  if (rank(kind) < rank(current) && !backwardsAllowed) return undefined;
  return { kind, skip };
}

/** Tokenizes a version the way apk does; undefined when apk would call it invalid. */
export function tokenizeApkVersion(v: string): ApkToken[] | undefined {
  if (v === '') return undefined;
  const tokens: ApkToken[] = [];
  let at = 0;
  let kind: Kind = 'number';
  for (;;) {
    if (at >= v.length) {
      // A separator at the very end: the awaited token reads as 0 and the version ends.
      tokens.push({ value: 0n, next: 'end' });
      return tokens;
    }
    let value: bigint;
    let forcedNext: Kind | undefined;
    const start = at;
    if (kind === 'dotted' && v[at] === '0') {
      // Leading zeros of a dotted component count on their own: 1.05 < 1.5, and 1.005 < 1.05.
      while (v[at] === '0') at++;
      value = BigInt(start - at);
      forcedNext = 'number';
    } else if (kind === 'letter') {
      value = BigInt(v.charCodeAt(at));
      at++;
    } else if (kind === 'suffix') {
      const suffix = readSuffix(v, at);
      if (!suffix) return undefined;
      value = suffix.value;
      at += suffix.length;
    } else {
      while (isDigit(v[at])) at++;
      value = at > start ? BigInt(v.slice(start, at)) : 0n;
    }
    if (at >= v.length) {
      tokens.push({ value, next: 'end' });
      return tokens;
    }
    if (forcedNext) {
      tokens.push({ value, next: forcedNext });
      kind = forcedNext;
      continue;
    }
    const next = nextKind(v, at, kind);
    if (!next) return undefined;
    tokens.push({ value, next: next.kind });
    kind = next.kind;
    at += next.skip;
  }
}

export function compareApkTokens(a: ApkToken[], b: ApkToken[]): Ordering {
  for (let i = 0; ; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) return 0;
    if (x.value !== y.value) return x.value < y.value ? -1 : 1;
    if (x.next === y.next) {
      if (x.next === 'end') return 0;
      continue;
    }
    // Equal so far, then one version goes on differently: a pre-release suffix makes it older,
    // otherwise the kind that continues (a later kind, or the end, ranks lower) decides.
    if (x.next === 'suffix' && (a[i + 1]?.value ?? 0n) < 0n) return -1;
    if (y.next === 'suffix' && (b[i + 1]?.value ?? 0n) < 0n) return 1;
    return rank(x.next) > rank(y.next) ? -1 : 1;
  }
}

function describeTokens(tokens: ApkToken[]): string {
  let kind: Kind = 'number';
  const parts: string[] = [];
  for (const token of tokens) {
    parts.push(`${kind} ${token.value}`);
    kind = token.next;
  }
  return `tokens: ${parts.join(', ')}`;
}

export const apk = defineScheme<ApkToken[]>({
  name: 'apk',
  parse: tokenizeApkVersion,
  compareParsed: compareApkTokens,
  describeParsed: describeTokens,
});
