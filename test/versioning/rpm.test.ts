import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { rpm } from '../../src/vuln/versioning/rpm/index.js';
import { commandWorks, requireIntegration } from '../support/integration.js';
import { rpmVersions } from './generators/rpm.js';
import { expectAgreement, outcomeCounts, parseOrderings, runWithInput } from './oracle.js';
import { generatePairs } from './random.js';

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
    const pairs = generatePairs(7411, 10000, rpmVersions.generate, rpmVersions.mutate);
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
