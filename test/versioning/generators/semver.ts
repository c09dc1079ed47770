import npmSemver from 'semver';
import { type Random, tweakNumber } from '../random.js';
import type { VersionGenerator } from './types.js';

const WORDS = ['alpha', 'beta', 'rc', 'pre', 'next', 'canary', 'x-y', 'A', 'Z', 'a1', '1a', '-'];

function identifier(r: Random): string {
  // Numbers stay below 2^53: npm compares bigger numeric identifiers as floats, losing digits.
  return r.chance(0.5) ? String(r.chance(0.8) ? r.int(0, 20) : r.int(0, 2 ** 40)) : r.pick(WORDS);
}

function generate(r: Random): string {
  let v = `${r.int(0, 3)}.${r.int(0, 12)}.${r.chance(0.2) ? r.int(10, 2 ** 40) : r.int(0, 12)}`;
  if (r.chance(0.55)) {
    const ids = Array.from({ length: r.int(1, 4) }, () => identifier(r));
    v += `-${ids.join('.')}`;
  }
  if (r.chance(0.15)) v += `+${r.pick(['build.1', 'sha.abc', '001', 'x-y'])}`;
  return v;
}

function mutate(r: Random, v: string): string {
  switch (r.int(0, 6)) {
    case 0:
      return v.includes('-') ? v.replace(/-[^+]*/, '') : `${v.replace(/\+.*/, '')}-${identifier(r)}`;
    case 1:
      return v.includes('-')
        ? v.replace(/(-[^+]*)/, `$1.${identifier(r)}`)
        : `${v.replace(/\+.*$/, '')}+meta`;
    case 2:
      return v.replace(/\+.*$/, '') + (r.chance(0.5) ? '' : `+${r.int(0, 9)}`);
    case 3:
      return v.replace(/-([^.+]+)/, (_all, id: string) => `-${r.pick(WORDS.filter((w) => w !== id))}`);
    default: {
      // Keep numbers valid: a tweak that adds a leading zero would only test rejection.
      const tweaked = tweakNumber(r, v);
      return npmSemver.valid(tweaked) ? tweaked : v;
    }
  }
}

export const semverVersions: VersionGenerator = { generate, mutate };
