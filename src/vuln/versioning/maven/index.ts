import { compareDigits, compareText } from '../compare-parts.js';
import { defineScheme } from '../scheme.js';
import type { Ordering } from '../types.js';

/**
 * The item tree of Maven's ComparableVersion: `.` separates items in a list, `-` and every
 * digit/letter transition open a nested list, so a dash (or a transition) weighs less than a dot.
 */
export type MavenItem =
  | { kind: 'number'; digits: string }
  | { kind: 'qualifier'; value: string }
  | { kind: 'list'; items: MavenItem[] };

// Known qualifiers in ascending order; the empty qualifier is the release itself.
const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const RELEASE_INDEX = QUALIFIERS.indexOf('');
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const SINGLE_LETTER: Record<string, string> = { a: 'alpha', b: 'beta', m: 'milestone' };
const INVALID = /[\s\p{Cc}]/u;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function numberItem(digits: string): MavenItem {
  return { kind: 'number', digits: digits.replace(/^0+/, '') || '0' };
}

function qualifierItem(text: string, followedByDigit: boolean): MavenItem {
  const expanded = followedByDigit ? (SINGLE_LETTER[text] ?? text) : text;
  return { kind: 'qualifier', value: ALIASES[expanded] ?? expanded };
}

function isNull(item: MavenItem): boolean {
  if (item.kind === 'number') return item.digits === '0';
  if (item.kind === 'qualifier') return item.value === '';
  return item.items.length === 0;
}

/** Drops trailing null items (0, "", empty lists), looking past nested lists, as Maven does. */
function normalize(list: MavenItem[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const item = list[i];
    if (item === undefined) continue;
    if (isNull(item)) list.splice(i, 1);
    else if (item.kind !== 'list') break;
  }
}

export function parseMavenItems(version: string): MavenItem[] {
  const v = version.toLowerCase();
  const root: MavenItem[] = [];
  const lists: MavenItem[][] = [root];
  let current = root;
  let digits = false;
  let start = 0;
  const openList = (): void => {
    const nested: MavenItem[] = [];
    current.push({ kind: 'list', items: nested });
    lists.push(nested);
    current = nested;
  };
  const token = (end: number): MavenItem =>
    digits ? numberItem(v.slice(start, end)) : qualifierItem(v.slice(start, end), false);
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '.' || c === '-') {
      current.push(i === start ? numberItem('0') : token(i));
      start = i + 1;
      if (c === '-') openList();
    } else if (isDigit(v.charCodeAt(i))) {
      if (!digits && i > start) {
        // A qualifier followed by a number sits in a list of its own ("1.0.rc1": [1, 0, [rc, [1]]]).
        if (current.length > 0) openList();
        current.push(qualifierItem(v.slice(start, i), true));
        start = i;
        openList();
      }
      digits = true;
    } else {
      if (digits && i > start) {
        current.push(token(i));
        start = i;
        openList();
      }
      digits = false;
    }
  }
  if (v.length > start) {
    // So does a trailing qualifier: "1.rc" reads like "1-rc".
    if (!digits && current.length > 0) openList();
    current.push(token(v.length));
  }
  // Innermost lists first, so a list emptied by normalization is itself trimmed by its parent.
  for (let i = lists.length - 1; i >= 0; i--) normalize(lists[i] ?? []);
  return root;
}

function qualifierRank(value: string): string {
  const index = QUALIFIERS.indexOf(value);
  // Unknown qualifiers come after the known ones, among themselves alphabetically.
  return index === -1 ? `${QUALIFIERS.length}-${value}` : String(index);
}

/** Compares an item with a missing one (the other version ran out of items). */
function compareWithNothing(item: MavenItem): Ordering {
  if (item.kind === 'number') return item.digits === '0' ? 0 : 1;
  if (item.kind === 'qualifier') return compareText(qualifierRank(item.value), String(RELEASE_INDEX));
  for (const nested of item.items) {
    const order = compareWithNothing(nested);
    if (order !== 0) return order;
  }
  return 0;
}

/** Items of different kinds at the same position: number > list > qualifier. */
function compareItems(a: MavenItem | undefined, b: MavenItem | undefined): Ordering {
  if (a === undefined) return b === undefined ? 0 : ((-compareWithNothing(b) || 0) as Ordering);
  if (b === undefined) return compareWithNothing(a);
  switch (a.kind) {
    case 'number':
      return b.kind === 'number' ? compareDigits(a.digits, b.digits) : 1;
    case 'qualifier':
      return b.kind === 'qualifier' ? compareText(qualifierRank(a.value), qualifierRank(b.value)) : -1;
    case 'list':
      if (b.kind === 'number') return -1;
      if (b.kind === 'qualifier') return 1;
      return compareLists(a.items, b.items);
  }
}

function compareLists(a: MavenItem[], b: MavenItem[]): Ordering {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const order = compareItems(a[i], b[i]);
    if (order !== 0) return order;
  }
  return 0;
}

/** Maven's canonical form of the item tree, e.g. "1.0-ALPHA1" → "1-alpha-1". */
export function canonicalMaven(items: MavenItem[]): string {
  let text = '';
  for (const item of items) {
    if (text !== '') text += item.kind === 'list' ? '-' : '.';
    text +=
      item.kind === 'list' ? canonicalMaven(item.items) : item.kind === 'number' ? item.digits : item.value;
  }
  return text;
}

export const maven = defineScheme<MavenItem[]>({
  name: 'maven',
  parse: (v) => (v === '' || INVALID.test(v) ? undefined : parseMavenItems(v)),
  compareParsed: compareLists,
  describeParsed: (items) => `items ${canonicalMaven(items) || '(empty)'}`,
});
