import { type Random, tweakNumber } from '../random.js';
import type { VersionGenerator } from './types.js';

function timestamp(r: Random): string {
  return `${r.int(2018, 2025)}${String(r.int(1, 12)).padStart(2, '0')}${String(r.int(10, 28))}${String(r.int(100000, 235959))}`;
}

function pseudo(r: Random): string {
  const hash = r.pick(['daa7c04131f5', '0123456789ab', 'abcdefabcdef']);
  switch (r.int(0, 2)) {
    case 0:
      return `v0.0.0-${timestamp(r)}-${hash}`;
    case 1:
      return `v${r.int(0, 3)}.${r.int(0, 9)}.${r.int(1, 9)}-0.${timestamp(r)}-${hash}`;
    default:
      return `v${r.int(0, 3)}.${r.int(0, 9)}.${r.int(0, 9)}-${r.pick(['pre', 'rc.1', 'beta'])}.0.${timestamp(r)}-${hash}`;
  }
}

function generate(r: Random): string {
  if (r.chance(0.25)) return pseudo(r);
  let v = `v${r.int(0, 3)}`;
  if (r.chance(0.1)) return r.chance(0.5) ? v : `${v}.${r.int(0, 12)}`;
  v += `.${r.int(0, 12)}.${r.chance(0.1) ? r.number() : r.int(0, 12)}`;
  if (r.chance(0.4)) {
    const ids = Array.from({ length: r.int(1, 3) }, () =>
      r.chance(0.5) ? String(r.int(0, 20)) : r.pick(['alpha', 'beta', 'rc', 'pre', 'A', 'x-y']),
    );
    v += `-${ids.join('.')}`;
  }
  if (r.chance(0.15)) v += r.pick(['+incompatible', '+build.1', '+meta']);
  return v;
}

function mutate(r: Random, v: string): string {
  switch (r.int(0, 7)) {
    case 0:
      return v.replace(/\+.*$/, '') + r.pick(['+incompatible', '', '-rc.1', '-0']);
    case 1:
      return v.replace(/-[^+]*/, '');
    case 2:
      return v.replace(/^v([0-9]+)\.([0-9]+)\.0$/, 'v$1.$2');
    case 3:
      // Invalid edits, to check that both sides reject the same strings.
      return r.pick([
        v.slice(1),
        `${v}.`,
        v.replace('.', '.0'),
        `${v}-`,
        `${v}+`,
        v.replace(/^v/, 'V'),
        `${v}-01`,
      ]);
    default:
      return tweakNumber(r, v);
  }
}

export const goModuleVersions: VersionGenerator = { generate, mutate };
