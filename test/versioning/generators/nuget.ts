import { type Random, tweakNumber } from '../random.js';
import type { VersionGenerator } from './types.js';

const LABELS = ['alpha', 'Alpha', 'beta', 'BETA', 'rc', 'preview', 'a-b', '1', '2', '10', '-1', 'z'];

function generate(r: Random): string {
  const numbers = Array.from({ length: r.int(1, 4) }, () =>
    r.chance(0.8) ? String(r.int(0, 12)) : `0${r.int(0, 9)}`,
  );
  let v = numbers.join('.');
  if (r.chance(0.4)) v += `-${Array.from({ length: r.int(1, 3) }, () => r.pick(LABELS)).join('.')}`;
  if (r.chance(0.1)) v += `+${r.pick(['sha.1', 'build5', '001'])}`;
  return v;
}

function mutate(r: Random, v: string): string {
  switch (r.int(0, 5)) {
    case 0:
      return v.replace(/-[^+]*/, '') || v;
    case 1:
      return v.replace(/^([0-9.]+)/, (numbers) => (numbers.split('.').length < 4 ? `${numbers}.0` : numbers));
    case 2:
      return v.replace(/[a-z]+/, (label) =>
        label === label.toUpperCase() ? label.toLowerCase() : label.toUpperCase(),
      );
    default:
      return tweakNumber(r, v);
  }
}

export const nugetVersions: VersionGenerator = { generate, mutate };
