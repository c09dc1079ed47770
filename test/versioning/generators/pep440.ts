import { type Random, tweakNumber } from '../random.js';
import type { VersionGenerator } from './types.js';

const SEPARATORS = ['', '', '.', '-', '_'];

function label(r: Random, words: string[]): string {
  const word = r.pick(words);
  return r.chance(0.15) ? word.toUpperCase() : word;
}

function generate(r: Random): string {
  let v = r.chance(0.05) ? 'v' : '';
  if (r.chance(0.1)) v += `${r.pick(['1', '2', '01', '0'])}!`;
  v += Array.from({ length: r.int(1, 4) }, () => r.number()).join('.');
  if (r.chance(0.4)) {
    v += r.pick(SEPARATORS) + label(r, ['a', 'b', 'rc', 'c', 'alpha', 'beta', 'pre', 'preview']);
    if (r.chance(0.8)) v += r.pick(SEPARATORS) + r.int(0, 12);
  }
  if (r.chance(0.25)) {
    v += r.chance(0.3)
      ? `-${r.int(0, 5)}`
      : r.pick(SEPARATORS) +
        label(r, ['post', 'rev', 'r']) +
        (r.chance(0.8) ? r.pick(SEPARATORS) + r.int(0, 5) : '');
  }
  if (r.chance(0.25))
    v += r.pick(SEPARATORS) + label(r, ['dev']) + (r.chance(0.8) ? r.pick(SEPARATORS) + r.int(0, 5) : '');
  if (r.chance(0.2)) {
    const parts = Array.from({ length: r.int(1, 3) }, () =>
      r.chance(0.5) ? r.number() : label(r, ['ubuntu', 'abc', 'cpu', 'cu118', 'g1a2b']),
    );
    v += `+${parts.join(r.pick(['.', '-', '_']))}`;
  }
  return r.chance(0.03) ? ` ${v} ` : v;
}

function mutate(r: Random, v: string): string {
  switch (r.int(0, 9)) {
    case 0:
      return `${v}${r.pick(['.0', '.dev0', 'a1', '.post1', '+1', '+a', 'rc1', '-1'])}`;
    case 1:
      return v.replace(/\+.*$/, '');
    case 2:
      return v.replace(/(alpha|beta|preview|pre|rc|a|b|c)/i, () => r.pick(['a', 'b', 'rc', 'c', 'alpha']));
    case 3:
      return v.replace(/[-_.](?=[a-z])/i, r.pick(['', '.', '-', '_']));
    case 4:
      return v.includes('!') ? v.slice(v.indexOf('!') + 1) : `1!${v.trim()}`;
    case 5:
      // Invalid edits, to check that both sides reject the same strings.
      return r.pick([`${v}-`, `${v}+`, `${v}..1`, `${v}+a..b`, `x${v}`, `${v} 1`, `${v}.devx`, `${v}_`]);
    default:
      return tweakNumber(r, v);
  }
}

export const pep440Versions: VersionGenerator = { generate, mutate };
