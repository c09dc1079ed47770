import { describe, expect } from 'vitest';
import { dpkg } from '../../src/vuln/versioning/dpkg/index.js';
import { commandWorks, requireIntegration } from '../support/integration.js';
import { expectAgreement, outcomeCounts, parseOrderings, runWithInput } from './oracle.js';
import { generatePairs, type Random, tweakNumber } from './random.js';

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

/** Asks dpkg itself: one shell per half of the pairs, `lt` then `eq` per pair. */
async function dpkgOracle(pairs: [string, string][]): Promise<number[]> {
  const script =
    'while read -r a b; do if dpkg --compare-versions "$a" lt "$b"; then echo -1; ' +
    'elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi; done';
  const half = Math.ceil(pairs.length / 2);
  const chunks = [pairs.slice(0, half), pairs.slice(half)];
  const outputs = await Promise.all(
    chunks.map((chunk) =>
      runWithInput('sh', ['-c', script], chunk.map(([a, b]) => `${a} ${b}\n`).join('')).then((out) =>
        parseOrderings(out, chunk.length),
      ),
    ),
  );
  return outputs.flat();
}

describe('dpkg scheme against dpkg --compare-versions', () => {
  const itDpkg = requireIntegration('dpkg', commandWorks('dpkg', ['--version']));

  itDpkg('agrees on 1,600 generated pairs', async () => {
    const pairs = generatePairs(20240604, 1600, generate, mutate);
    for (const [a, b] of pairs) {
      expect(dpkg.valid(a) && dpkg.valid(b), `${a} ${b}`).toBe(true);
    }
    const oracle = await dpkgOracle(pairs);
    const counts = outcomeCounts(oracle);
    expect(counts.less).toBeGreaterThan(300);
    expect(counts.equal).toBeGreaterThan(30);
    expect(counts.greater).toBeGreaterThan(300);
    expectAgreement(dpkg, pairs, oracle as (-1 | 0 | 1)[]);
  });
});
