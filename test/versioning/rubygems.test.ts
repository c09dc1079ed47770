import { describe, expect } from 'vitest';
import { rubygems } from '../../src/vuln/versioning/rubygems/index.js';
import { commandWorks, requireIntegration } from '../support/integration.js';
import { expectVerdictAgreement, pairLines, parseVerdicts, runWithInput, verdictCounts } from './oracle.js';
import { generatePairs, type Random, tweakNumber } from './random.js';

const ORACLE = new URL('./oracles/rubygems.rb', import.meta.url).pathname;
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

describe('rubygems scheme against Gem::Version', () => {
  const itRuby = requireIntegration('ruby (Debian ruby)', commandWorks('ruby', ['-e', 'require "rubygems"']));

  itRuby('agrees on 10,000 generated pairs (validity and order)', async () => {
    const pairs = generatePairs(1993, 10000, generate, mutate);
    const verdicts = parseVerdicts(await runWithInput('ruby', [ORACLE], pairLines(pairs)), pairs.length);
    const counts = verdictCounts(verdicts);
    expect(counts.less).toBeGreaterThan(2000);
    expect(counts.equal).toBeGreaterThan(200);
    expect(counts.greater).toBeGreaterThan(2000);
    expect(counts.invalid).toBeGreaterThan(300);
    expectVerdictAgreement(rubygems, pairs, verdicts);
  });
});
