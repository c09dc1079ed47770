import { type Random, tweakNumber } from '../random.js';
import type { VersionGenerator } from './types.js';

const WORDS = ['a', 'b', 'rc', 'beta', 'dfsg', 'ds', 'git', 'ubuntu', 'deb', 'bpo', 'Z', 'z', 'build'];
const SEPARATORS = ['.', '.', '.', '+', '~', '~', '-', ':'];
const REVISIONS = ['1', '0', '2', '0ubuntu1', '1+deb12u1', '1~bpo11+1', '1.1', '3build2', '1ubuntu0.22.04.1'];

function upstream(r: Random, withColon: boolean, withHyphen: boolean): string {
  let v = r.number();
  const parts = r.int(0, 4);
  for (let i = 0; i < parts; i++) {
    let separator = r.pick(SEPARATORS);
    if ((separator === ':' && !withColon) || (separator === '-' && !withHyphen)) separator = '.';
    v += separator;
    v += r.chance(0.6) ? r.number() : r.pick(WORDS) + (r.chance(0.5) ? r.number() : '');
  }
  if (r.chance(0.1)) v += r.pick(['~', '~~', '+', 'a']);
  return v;
}

function generate(r: Random): string {
  const epoch = r.chance(0.2) ? r.pick(['0', '1', '2', '10', '01']) : '';
  const revision = r.chance(0.6) ? r.pick(REVISIONS) : '';
  const up = upstream(r, epoch !== '', revision !== '');
  return `${epoch ? `${epoch}:` : ''}${up}${revision ? `-${revision}` : ''}`;
}

function mutate(r: Random, v: string): string {
  switch (r.int(0, 7)) {
    case 0:
      return `${v}~${r.pick(['rc1', '', 'beta2', '~'])}`;
    case 1:
      return `${v}${r.pick(['+b1', '.0', 'a', '.1', '+really1.0'])}`;
    case 2:
      return v.includes(':')
        ? v.slice(v.indexOf(':') + 1).replaceAll(':', '.')
        : `${r.pick(['0', '1'])}:${v}`;
    case 3:
      return v.length > 1 && !/[-:.+~]$/.test(v.slice(0, -1)) ? v.slice(0, -1) : v;
    case 4:
      return v.includes('-') ? `${v}.1` : `${v}-${r.pick(['0', '1'])}`;
    default:
      return tweakNumber(r, v);
  }
}

export const dpkgVersions: VersionGenerator = { generate, mutate };
