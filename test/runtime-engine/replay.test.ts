import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { alertToJson, Engine, loadRules } from '../../src/runtime/engine/index.js';
import {
  createRecordingReader,
  createRecordingWriter,
  detectRecordingFormat,
  type RecordingFormat,
} from '../../src/runtime/event/recording.js';
import type { RuntimeEvent } from '../../src/runtime/event/types.js';
import {
  connect,
  container,
  event,
  exec,
  nginx,
  O_RDONLY,
  O_TRUNC,
  O_WRONLY,
  openat,
  proc,
  shim,
} from './support/events.js';

const STOCK = fileURLToPath(new URL('../../../shared/falco/falco_rules.yaml', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cerana-test-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const loaded = loadRules([STOCK], { hostname: 'node-1' });
if (!loaded.ok) throw new Error('stock rules failed to load');

/** A short session: a shell in a container poking at credentials, logs and the network. */
function session(): RuntimeEvent[] {
  const sh = proc({ pid: 500, name: 'sh', exe: 'sh', exePath: '/bin/sh', tty: 34816, container }, shim);
  const cat = proc({ pid: 501, name: 'cat', exe: 'cat', exePath: '/bin/cat', args: ['/etc/shadow'] }, sh);
  const grep = proc(
    { pid: 502, name: 'grep', exe: 'grep', exePath: '/bin/grep', args: ['-r', 'BEGIN RSA PRIVATE', '/'] },
    sh,
  );
  const ssh = proc(
    { pid: 503, name: 'ssh', exe: 'ssh', exePath: '/usr/bin/ssh', args: ['-p', '443', 'x@203.0.113.7'] },
    sh,
  );
  return [
    exec(sh),
    openat(sh, '/etc/ld.so.cache', O_RDONLY),
    exec(cat),
    openat(cat, '/etc/shadow', O_RDONLY),
    event('close', cat, { fd: 3 }),
    exec(grep),
    openat(grep, '/var/log/auth.log', O_WRONLY | O_TRUNC),
    exec(ssh),
    connect(ssh, '203.0.113.7', 443),
    connect(nginx, '10.0.0.8', 5432),
    event('ptrace', sh, { request: 16, pid: 1 }),
  ];
}

const alertsOf = (events: readonly RuntimeEvent[]): string[] => {
  const engine = new Engine(loaded.ruleSet, { ruleMatching: 'all' });
  return events.flatMap((e) => engine.process(e).map(alertToJson));
};

async function replayFile(path: string, format: RecordingFormat): Promise<RuntimeEvent[]> {
  const reader = createRecordingReader(format);
  const out: RuntimeEvent[] = [];
  for await (const chunk of createReadStream(path, { highWaterMark: 97 }))
    reader.push(chunk as Buffer, (e) => out.push(e));
  reader.end((e) => out.push(e));
  return out;
}

describe('record and replay', () => {
  const live = session();
  const expected = alertsOf(live);

  it('the session raises alerts from several stock rules', () => {
    const rules = new Set(expected.map((a) => (JSON.parse(a) as { rule: string }).rule));
    expect([...rules].sort()).toEqual([
      'Clear Log Activities',
      'Disallowed SSH Connection Non Standard Port',
      'PTRACE attached to process',
      'Read sensitive file untrusted',
      'Search Private Keys or Passwords',
      'Terminal shell in container',
    ]);
  });

  it.each([
    'binary',
    'json',
  ] as RecordingFormat[])('a %s recording replays to identical alerts', async (format) => {
    const writer = createRecordingWriter(format);
    const path = join(dir, `session.${format}`);
    const chunks: Buffer[] = [];
    for (const e of live) {
      writer.write(e);
      chunks.push(writer.take());
    }
    writeFileSync(path, Buffer.concat(chunks));
    const replayed = await replayFile(path, format);
    expect(detectRecordingFormat(Buffer.concat(chunks).subarray(0, 16))).toBe(format);
    expect(replayed).toHaveLength(live.length);
    expect(alertsOf(replayed)).toEqual(expected);
  });
});
