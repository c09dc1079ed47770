import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cerana } from '../support/cli.js';

const STOCK_RULES = join(import.meta.dirname, '../../../shared/falco/falco_rules.yaml');
const work = mkdtempSync(join(tmpdir(), 'cerana-cli-rules-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('cerana rules validate', () => {
  it('loads the stock Falco rules unmodified', async () => {
    const result = await cerana(['rules', 'validate', STOCK_RULES, '-q']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok: \d+ rules \(\d+ enabled\), \d+ macros, \d+ lists/);
  });

  it('names the file, line and column of an unknown field and exits 2', async () => {
    const file = join(work, 'bad.yaml');
    writeFileSync(
      file,
      '- rule: bad\n  desc: x\n  condition: evt.type = open and proc.nme = x\n  output: y\n  priority: WARNING\n',
    );
    const result = await cerana(['rules', 'validate', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${file}:3:34: error: rule 'bad': unknown field 'proc.nme'\n`);
  });
});
