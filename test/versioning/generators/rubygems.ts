import { type Random, tweakNumber } from '../random.js';
import type { VersionGenerator } from './types.js';

const WORDS = ['a', 'b', 'pre', 'rc', 'beta', 'alpha', 'A', 'Z', 'x', 'dev'];

function generate(r: Random): string {
  let v = r.number();
  const parts = r.int(0, 4);
  for (let i = 0; i < parts; i++) {
    v += `.${r.chance(0.65) ? r.number() : r.pick(WORDS) + (r.chance(0.4) ? r.int(0, 12) : '')}`;
  }
  if (r.chance(0.15)) v += `-${r.pick(WORDS)}${r.chance(0.5) ? `.${r.int(0, 5)}` : ''}`;
  if (r.chance(0.03)) v = ` ${v} `;
  return r.chance(0.01) ? '' : v;
}

function mutate(r: Random, v: string): string {
  switch (r.int(0, 7)) {
    case 0:
      return `${v}${r.pick(['.0', '.a', '.pre', '.1', '-rc1', '.0.0', 'a'])}`;
    case 1:
      return v.replace(/\.[^.]*$/, '');
    case 2:
      return v.replace(/[a-z]+/i, () => r.pick(WORDS));
    case 3:
      // Invalid edits, to check that both sides reject the same strings.
      return r.pick([`${v}-`, `${v}..1`, `a${v}`, `${v} 1`, `${v}_1`, `v${v}`, `${v}.`]);
    default:
      return tweakNumber(r, v);
  }
}

export const rubygemsVersions: VersionGenerator = { generate, mutate };
