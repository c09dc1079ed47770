import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRecordingWriter } from '../../src/runtime/event/recording.js';
import { container, exec, O_RDONLY, openat, proc, shim } from '../runtime-engine/support/events.js';
import { cerana } from '../support/cli.js';

const STOCK_RULES = join(import.meta.dirname, '../../../shared/falco/falco_rules.yaml');
const work = mkdtempSync(join(tmpdir(), 'cerana-cli-runtime-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A recording of a shell in a container reading /etc/shadow. */
function recording(): string {
  const sh = proc({ pid: 500, name: 'sh', exe: 'sh', exePath: '/bin/sh', tty: 34816, container }, shim);
  const cat = proc({ pid: 501, name: 'cat', exe: 'cat', exePath: '/bin/cat', args: ['/etc/shadow'] }, sh);
  const writer = createRecordingWriter('binary');
  const chunks: Buffer[] = [];
  for (const event of [exec(sh), exec(cat), openat(cat, '/etc/shadow', O_RDONLY)]) {
    writer.write(event);
    chunks.push(writer.take());
  }
  const file = join(work, 'session.rec');
  writeFileSync(file, Buffer.concat(chunks));
  return file;
}

describe('cerana runtime', () => {
  it('replays a recording through the stock rules and prints Falco-shaped alerts', async () => {
    const result = await cerana(['runtime', 'replay', recording(), '--rules', STOCK_RULES, '-q']);
    expect(result.code).toBe(0);
    const alerts = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(alerts.map((a) => a.rule)).toContain('Read sensitive file untrusted');
    for (const alert of alerts)
      expect(Object.keys(alert)).toEqual(
        expect.arrayContaining(['time', 'rule', 'priority', 'output', 'output_fields', 'tags', 'source']),
      );
  });

  it('needs rules and a known subcommand', async () => {
    const noRules = await cerana(['runtime', 'replay', join(work, 'x.rec')], { env: { CERANA_RULES: '' } });
    expect(noRules.code).toBe(2);
    expect(noRules.stderr).toMatch(/no rules given/);
    expect((await cerana(['runtime', 'dance'])).code).toBe(2);
  });
});
