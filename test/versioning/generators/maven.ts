import { type Random, tweakNumber } from '../random.js';
import type { VersionGenerator } from './types.js';

const QUALIFIERS = [
  'alpha',
  'a',
  'beta',
  'b',
  'milestone',
  'm',
  'rc',
  'cr',
  'snapshot',
  'SNAPSHOT',
  'ga',
  'final',
  'Final',
  'release',
  'RELEASE',
  'sp',
  'jre',
  'android',
  'foo',
  'M',
  'RC',
];

function generate(r: Random): string {
  let v = r.number();
  const parts = r.int(0, 4);
  for (let i = 0; i < parts; i++) {
    const separator = r.pick(['.', '.', '-', '-', '']);
    const word = r.chance(0.55) ? r.number() : r.pick(QUALIFIERS);
    // Without a separator a word must change kind (digit/letter) to be a separate item.
    v += separator === '' && /^[0-9]/.test(word) === /[0-9]$/.test(v) ? '.' : separator;
    v += word;
  }
  if (r.chance(0.05)) v += r.pick(['.', '-', '--', '.-']);
  return r.chance(0.03) ? r.pick(QUALIFIERS) + v : v;
}

function mutate(r: Random, v: string): string {
  switch (r.int(0, 8)) {
    case 0:
      return `${v}${r.pick(['-SNAPSHOT', '.0', '-0', '-1', '.1', '-ga', '-final', 'a1', '-rc1', '.RC1', '-sp1', '.Final', '-foo'])}`;
    case 1:
      return v.replace(/[.-]/, (s) => (s === '.' ? '-' : '.'));
    case 2:
      return v.replace(/[a-z]+/i, () => r.pick(QUALIFIERS));
    case 3:
      return v.replace(/[.-](0*[0-9]+|[a-z]+)$/i, '');
    case 4:
      return v.toUpperCase();
    default:
      return tweakNumber(r, v);
  }
}

export const mavenVersions: VersionGenerator = { generate, mutate };
