import { type Random, tweakNumber } from '../random.js';
import type { VersionGenerator } from './types.js';

const WORDS = ['a', 'b', 'rc', 'beta', 'git', 'el', 'fc', 'p', 'Z', 'svn', 'snap'];
const SEPARATORS = ['.', '.', '.', '_', '+', '~', '^', '-'];
const RELEASES = ['1', '1.el9', '1.el9_2.1', '2.fc39', '0.1.rc1', '1~bootstrap', '4^post', '10.el8_8'];

function version(r: Random): string {
  let v = r.chance(0.9) ? r.number() : r.pick(WORDS);
  const parts = r.int(0, 4);
  for (let i = 0; i < parts; i++) {
    let separator = r.pick(SEPARATORS);
    if (separator === '-') separator = '.';
    if (r.chance(0.15)) separator = '';
    v += separator;
    v += r.chance(0.6) ? r.number() : r.pick(WORDS) + (r.chance(0.5) ? r.number() : '');
  }
  if (r.chance(0.1)) v += r.pick(['~', '^', '.', '~~']);
  return v;
}

function generate(r: Random): string {
  const epoch = r.chance(0.2) ? `${r.pick(['0', '1', '2', '10', '01'])}:` : '';
  const release = r.chance(0.7) ? `-${r.pick(RELEASES)}` : '';
  return `${epoch}${version(r)}${release}`;
}

function mutate(r: Random, v: string): string {
  switch (r.int(0, 7)) {
    case 0:
      return v.replace(
        /(-[^-]*)?$/,
        (release) => `${r.pick(['~rc1', '~', '^git1', '^', '.0', 'a'])}${release}`,
      );
    case 1:
      return `${v}${r.pick(['.1', '~1', '^1', 'a', '.0', '_1'])}`;
    case 2:
      return v.includes(':') ? v.slice(v.indexOf(':') + 1) : `${r.pick(['0', '1'])}:${v}`;
    case 3:
      return v.replace(/[._+]/, r.pick(['.', '_', '+', '', '~', '^']));
    case 4:
      return v.includes('-') ? v.slice(0, v.lastIndexOf('-')) : `${v}-${r.pick(RELEASES)}`;
    default:
      return tweakNumber(r, v);
  }
}

export const rpmVersions: VersionGenerator = { generate, mutate };
