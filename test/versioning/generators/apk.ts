import { type Random, tweakNumber } from '../random.js';
import type { VersionGenerator } from './types.js';

const SUFFIXES = ['alpha', 'beta', 'pre', 'rc', 'cvs', 'svn', 'git', 'hg', 'p'];

function generate(r: Random): string {
  let v = r.number();
  const parts = r.int(0, 3);
  for (let i = 0; i < parts; i++) v += `.${r.number()}`;
  if (r.chance(0.15)) v += r.pick(['a', 'b', 'c', 'z']);
  const suffixes = r.chance(0.35) ? r.int(1, 2) : 0;
  for (let i = 0; i < suffixes; i++) v += `_${r.pick(SUFFIXES)}${r.chance(0.7) ? r.number() : ''}`;
  if (r.chance(0.6)) v += `-r${r.int(0, 12)}`;
  return v;
}

function mutate(r: Random, v: string): string {
  switch (r.int(0, 5)) {
    case 0:
      return v.replace(/(-r[0-9]+)?$/, (revision) => `_${r.pick(SUFFIXES)}${r.int(0, 3)}${revision}`);
    case 1:
      return v.includes('-r') ? v.replace(/-r[0-9]+$/, '') : `${v}-r${r.int(0, 3)}`;
    case 2:
      return v.replace(/^([0-9.]+)/, (numbers) => `${numbers}.${r.pick(['0', '1', '00', '01'])}`);
    default:
      return tweakNumber(r, v);
  }
}

export const apkVersions: VersionGenerator = { generate, mutate };
