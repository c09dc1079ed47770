import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { rpm } from '../../src/vuln/versioning/rpm/index.js';
import { commandWorks, requireIntegration } from '../support/integration.js';
import { expectAgreement, outcomeCounts, parseOrderings, runWithInput } from './oracle.js';
import { generatePairs, type Random, tweakNumber } from './random.js';

const WORDS = ['a', 'b', 'rc', 'beta', 'git', 'el', 'fc', 'p', 'Z', 'svn', 'snap'];
const SEPARATORS = ['.', '.', '.', '_', '+', '~', '^', '-'];
const RELEASES = ['1', '1.el9', '1.el9_2.1', '2.fc39', '0.1.rc1', '1~bootstrap', '4^post', '10.el8_8'];

function version(r: Random): string {
  let v = r.chance(0.9) ? r.number() : r.pick(WORDS);
  const parts = r.int(0, 4);
  for (let i = 0; i < parts; i++) {
    let separator = r.pick(SEPARATORS);
    if (separator === '-') separator = '.';
    if (r.chance(0.15)) separator = '';
    v += separator;
    v += r.chance(0.6) ? r.number() : r.pick(WORDS) + (r.chance(0.5) ? r.number() : '');
  }
  if (r.chance(0.1)) v += r.pick(['~', '^', '.', '~~']);
  return v;
}

function generate(r: Random): string {
  const epoch = r.chance(0.2) ? `${r.pick(['0', '1', '2', '10', '01'])}:` : '';
  const release = r.chance(0.7) ? `-${r.pick(RELEASES)}` : '';
  return `${epoch}${version(r)}${release}`;
}

function mutate(r: Random, v: string): string {
  switch (r.int(0, 7)) {
    case 0:
      return v.replace(
        /(-[^-]*)?$/,
        (release) => `${r.pick(['~rc1', '~', '^git1', '^', '.0', 'a'])}${release}`,
      );
    case 1:
      return `${v}${r.pick(['.1', '~1', '^1', 'a', '.0', '_1'])}`;
    case 2:
      return v.includes(':') ? v.slice(v.indexOf(':') + 1) : `${r.pick(['0', '1'])}:${v}`;
    case 3:
      return v.replace(/[._+]/, r.pick(['.', '_', '+', '', '~', '^']));
    case 4:
      return v.includes('-') ? v.slice(0, v.lastIndexOf('-')) : `${v}-${r.pick(RELEASES)}`;
    default:
      return tweakNumber(r, v);
  }
}

const work = mkdtempSync(join(tmpdir(), 'cerana-test-rpm-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Asks rpm's own comparison through its embedded Lua: rpm.ver() parses an EVR, its operators compare. */
async function rpmOracle(pairs: [string, string][]): Promise<number[]> {
  const input = join(work, 'pairs.txt');
  writeFileSync(input, pairs.map(([a, b]) => `${a} ${b}\n`).join(''));
  const script = join(work, 'compare.lua');
  writeFileSync(
    script,
    `for line in io.lines(${JSON.stringify(input)}) do
  local a, b = line:match("^(%S+) (%S+)$")
  local x, y = rpm.ver(a), rpm.ver(b)
  local r = 1
  if x < y then r = -1 elseif x == y then r = 0 end
  io.stdout:write(r, "\\n")
end
`,
  );
  const output = await runWithInput('rpm', ['--eval', `%{lua: dofile(${JSON.stringify(script)})}`], '');
  return parseOrderings(output, pairs.length);
}

describe('rpm scheme against rpm (rpm.ver in rpm --eval)', () => {
  const itRpm = requireIntegration(
    'rpm with Lua rpm.ver',
    commandWorks('rpm', ['--eval', '%{lua: assert(rpm.ver("1:2-3") < rpm.ver("1:2-4"))}']),
  );

  itRpm('agrees on 10,000 generated pairs', async () => {
    const pairs = generatePairs(7411, 10000, generate, mutate);
    for (const [a, b] of pairs) {
      expect(rpm.valid(a) && rpm.valid(b), `${a} ${b}`).toBe(true);
    }
    const oracle = await rpmOracle(pairs);
    const counts = outcomeCounts(oracle);
    expect(counts.less).toBeGreaterThan(2000);
    expect(counts.equal).toBeGreaterThan(200);
    expect(counts.greater).toBeGreaterThan(2000);
    expectAgreement(rpm, pairs, oracle as (-1 | 0 | 1)[]);
  });
});
