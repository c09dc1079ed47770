import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Engine, loadRules } from '../../src/runtime/engine/index.js';
import type { ProcessInfo, RuntimeEvent } from '../../src/runtime/event/types.js';
import {
  BASE_TS,
  connect,
  event,
  nginx,
  O_CREAT,
  O_RDONLY,
  O_WRONLY,
  openat,
  proc,
} from './support/events.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/operators.yaml', import.meta.url));

const loaded = loadRules([FIXTURE], { appendOutput: false, hostname: 'test-host' });
if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
const engine = new Engine(loaded.ruleSet, { ruleMatching: 'all' });
const fired = (e: RuntimeEvent): string[] => engine.process(e).map((a) => a.rule);

const sshd = proc({ pid: 50, name: 'sshd', exe: '/usr/sbin/sshd', exePath: '/usr/sbin/sshd' }, nginx.parent);
const bash = proc({ pid: 51, name: 'bash', exe: 'bash', exePath: '/bin/bash' }, sshd);
const cat = proc({ pid: 52, name: 'cat', exe: 'cat', exePath: '/bin/cat', args: ['/etc/shadow'] }, bash);
const orphan: ProcessInfo = { ...cat, parent: undefined };
const named = (name: string, extra: Partial<Parameters<typeof proc>[0]> = {}) =>
  proc({ pid: 60, name, exe: name, exePath: `/bin/${name}`, ...extra }, bash);

const shadowRead = openat(cat, '/etc/shadow', O_RDONLY, 3);
const other = openat(named('ls'), '/tmp/x', O_RDONLY, 9);

type Case = readonly [rule: string, positive: readonly RuntimeEvent[], negative: readonly RuntimeEvent[]];

const cases: readonly Case[] = [
  ['op-eq', [shadowRead], [other]],
  ['op-eqeq', [shadowRead], [openat(cat, '/x', 0, 4)]],
  ['op-ne', [openat(bash, '/x', 0)], [shadowRead, openat(orphan, '/x', 0)]],
  ['op-lt', [openat(cat, '/x', 0, 2)], [openat(cat, '/x', 0, 3)]],
  ['op-le', [openat(cat, '/x', 0, 3), openat(cat, '/x', 0, 0)], [openat(cat, '/x', 0, 4)]],
  ['op-gt', [openat(cat, '/x', 0, 4)], [openat(cat, '/x', 0, 3)]],
  ['op-ge', [openat(cat, '/x', 0, 3)], [openat(cat, '/x', 0, 2)]],
  ['op-contains', [shadowRead], [other]],
  ['op-icontains', [shadowRead], [other]],
  ['op-bcontains', [shadowRead], [other]],
  ['op-startswith', [shadowRead], [other, openat(cat, '/etcetera', 0)]],
  ['op-bstartswith', [shadowRead], [openat(cat, '/etcetera', 0)]],
  ['op-endswith', [openat(cat, '/etc/nginx/nginx.conf', 0)], [openat(cat, '/etc/nginx/nginx.conf.bak', 0)]],
  ['op-glob', [openat(cat, '/home/bob/.ssh/id_rsa', 0)], [openat(cat, '/root/.ssh/id_rsa', 0)]],
  ['op-iglob', [openat(cat, '/certs/server.pem', 0)], [openat(cat, '/certs/server.pem.txt', 0)]],
  [
    'op-pmatch',
    [openat(cat, '/var/run/docker.sock', 0), openat(cat, '/etc/ssh', 0)],
    [openat(cat, '/var/runner', 0), openat(cat, '/etc/sshd', 0)],
  ],
  [
    'op-in',
    [openat(named('sh'), '/x', 0), openat(named('zsh'), '/x', 0), openat(named('fish'), '/x', 0)],
    [shadowRead],
  ],
  ['op-in-listref', [openat(named('bash'), '/x', 0)], [openat(named('zsh'), '/x', 0)]],
  ['op-intersects', [shadowRead, openat(named('dog'), '/x', 0)], [other]],
  [
    'op-regex',
    [shadowRead],
    [
      openat(named('cat', { args: ['/etc/passwd'] }), '/x', 0),
      openat(named('xcat', { args: ['/etc/shadow'] }), '/x', 0),
    ],
  ],
  ['op-exists', [shadowRead], [openat(orphan, '/x', 0)]],
  ['logic', [shadowRead, openat(named('tac'), '/x', 0)], [openat(cat, '/x', 0, 9), other]],
  ['arg-index', [shadowRead], [openat(bash, '/x', 0)]],
  ['arg-any-ancestor', [shadowRead, openat(bash, '/x', 0)], [openat(sshd, '/x', 0)]],
  ['arg-dotted', [openat(cat, '/tmp/new', O_WRONLY | O_CREAT)], [shadowRead]],
  ['arg-position', [shadowRead], [other]],
  ['arg-raw', [openat(cat, '/tmp/new', O_WRONLY | O_CREAT)], [shadowRead]],
  [
    'net-ip',
    [connect(nginx, '10.1.2.3', 443), connect(nginx, '2001:db8::1', 80)],
    [connect(nginx, '10.1.2.3', 80), connect(nginx, '10.1.2.4', 443), connect(nginx, '2001:db9::1', 80)],
  ],
  // A host process has no container.privileged value, which matches neither true nor false.
  [
    'bool-field',
    [openat(proc({ name: 'cat' }, nginx), '/tmp/out', O_WRONLY)],
    [shadowRead, openat(cat, '/tmp/out', O_WRONLY)],
  ],
  [
    'time-field',
    [shadowRead],
    [
      openat(proc({ name: 'old', startTs: BASE_TS - 10_000_000_000n }, bash), '/x', 0),
      event('openat', cat, {}, { ts: BASE_TS - 1n }),
    ],
  ],
  ['tr-tolower', [openat(named('CaT'), '/x', 0)], [openat(named('dog'), '/x', 0)]],
  ['tr-toupper', [openat(named('cAt'), '/x', 0)], [openat(named('dog'), '/x', 0)]],
  [
    'tr-b64',
    [openat(named('curl', { args: [Buffer.from('my secret').toString('base64')] }), '/x', 0)],
    [
      openat(named('curl', { args: ['bXkgcHVibGlj'] }), '/x', 0),
      openat(named('curl', { args: ['!!not base64'] }), '/x', 0),
    ],
  ],
  ['tr-basename', [shadowRead], [openat(cat, '/etc/shadow/', 0)]],
  ['tr-len', [shadowRead], [openat(cat, '/etc/passwd2', 0)]],
  ['tr-nested', [openat(cat, '/ETC/SHADOW', 0)], [openat(cat, '/etc/gshadow', 0)]],
  ['val-field', [openat(proc({ name: 'bash' }, bash), '/x', 0)], [shadowRead]],
  [
    'val-transformed',
    [openat(named('CAT', { exe: 'cat', exePath: '/bin/CAT' }), '/x', 0)],
    [openat(named('cat', { exePath: '/bin/dog' }), '/x', 0)],
  ],
];

describe('filter operators and transformers', () => {
  it('every rule of the fixture is covered by a case', () => {
    expect(cases.map((c) => c[0]).sort()).toEqual(loaded.ruleSet.rules.map((r) => r.name).sort());
  });

  it.each(cases)('%s matches its positive events and not its negative ones', (rule, positive, negative) => {
    for (const [i, e] of positive.entries()) expect(fired(e), `positive #${i}`).toContain(rule);
    for (const [i, e] of negative.entries()) expect(fired(e), `negative #${i}`).not.toContain(rule);
  });

  it('renders transformer and argument tokens in outputs', () => {
    const alerts = engine.process(openat(cat, '/tmp/new', O_WRONLY | O_CREAT));
    const byRule = new Map(alerts.map((a) => [a.rule, a]));
    expect(byRule.get('arg-dotted')?.output).toMatch(/: Informational O_WRONLY\|O_CREAT$/);
    expect(byRule.get('arg-raw')?.output_fields).toEqual({
      'evt.time': expect.any(BigInt),
      'evt.rawarg.flags': 65,
    });
    const lower = engine.process(openat(named('CaT'), '/x', 0)).find((a) => a.rule === 'tr-tolower');
    expect(lower?.output_fields['tolower(proc.name)']).toBe('cat');
  });
});
