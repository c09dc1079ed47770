import { type Random, tweakNumber } from '../random.js';
import type { VersionGenerator } from './types.js';

const STABILITIES = ['alpha', 'a', 'beta', 'b', 'RC', 'rc', 'patch', 'pl', 'p', 'stable', 'STABLE', 'Beta'];

function generate(r: Random): string {
  const roll = r.next();
  let v: string;
  if (roll < 0.1) {
    v = `${r.int(2000, 2025)}${r.pick(['', '.', '-'])}${String(r.int(1, 12)).padStart(2, '0')}${r.pick(['', '.', '-'])}${String(r.int(1, 28)).padStart(2, '0')}`;
  } else if (roll < 0.15) {
    return `${r.int(0, 5)}${r.pick(['.x', '.*', '.1.x', '.X'])}-dev`;
  } else {
    v = `${r.chance(0.2) ? 'v' : ''}${r.chance(0.05) ? r.int(10000, 99999) : r.int(0, 12)}`;
    const parts = r.int(0, 3);
    for (let i = 0; i < parts; i++) v += `.${r.chance(0.1) ? r.number() : r.int(0, 12)}`;
  }
  if (r.chance(0.4)) {
    v += r.pick(['', '-', '.', '_']) + r.pick(STABILITIES);
    if (r.chance(0.7)) v += r.pick(['', '.', '-']) + r.int(0, 12) + (r.chance(0.1) ? `.${r.int(0, 3)}` : '');
  }
  if (r.chance(0.15)) v += r.pick(['-dev', '.dev', 'dev', '-DEV']);
  if (r.chance(0.05)) v += r.pick(['+build5', '@beta', ' as 1.0.0']);
  return v;
}

function mutate(r: Random, v: string): string {
  switch (r.int(0, 8)) {
    case 0:
      return `${v}${r.pick(['.0', '-dev', '-beta1', '-RC2', '-patch1', '.1', 'p1', '-stable'])}`;
    case 1:
      return v.replace(/[-._]?(alpha|beta|stable|patch|rc|pl|a|b|p)/i, () => `-${r.pick(STABILITIES)}`);
    case 2:
      return v.replace(/[-.]?dev$/i, '');
    case 3:
      return v.startsWith('v') ? v.slice(1) : `v${v}`;
    case 4:
      // Invalid edits and branch names, to check that both sides reject the same strings.
      return r.pick([
        `${v}-foo`,
        `dev-${v}`,
        'dev-main',
        'master',
        `${v}..1`,
        `${v}-`,
        `x${v}`,
        `${v}.0.0.0.0`,
      ]);
    default:
      return tweakNumber(r, v);
  }
}

export const composerVersions: VersionGenerator = { generate, mutate };
