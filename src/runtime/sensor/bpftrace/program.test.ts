import { describe, expect, it } from 'vitest';
import { KIND, RECORD_NAMES } from '../records.js';
import { DEFAULT_STRING_PIECES, DEFAULT_STRLEN, generateProgram, wantedTracepoints } from './program.js';

const ALL = new Set(wantedTracepoints());

function program(options: Partial<Parameters<typeof generateProgram>[0]> = {}) {
  return generateProgram({
    selfPid: 4242,
    threadSize: 16384,
    tracepoints: ALL,
    strlen: DEFAULT_STRLEN,
    stringPieces: DEFAULT_STRING_PIECES,
    ...options,
  });
}

describe('bpftrace program generation', () => {
  it('emits every record kind, from exit tracepoints and the scheduler only', () => {
    const { text, tracepoints } = program();
    for (const name of RECORD_NAMES) expect(text).toContain(`print((${KIND[name]}, $ts, pid, tid,`);
    expect(tracepoints.filter((t) => t.startsWith('syscalls:sys_enter_'))).toEqual([
      'syscalls:sys_enter_close',
    ]);
    expect(tracepoints).toContain('sched:sched_process_exec');
    expect(text).not.toMatch(/kprobe|kfunc|printf/);
  });

  it('never traces itself, and limits calls (not lifecycle) to other namespaces when asked', () => {
    const scoped = program({ hostMntns: 4026531840 }).text;
    const probes = scoped.split('\n}\n');
    const exec = probes.find((p) => p.includes('sched:sched_process_exec')) as string;
    const open = probes.find((p) => p.includes('sys_exit_openat\n')) as string;
    expect(exec).toContain('/pid != 4242/');
    expect(exec).not.toContain('4026531840');
    expect(open).toContain('curtask->nsproxy->mnt_ns->ns.inum != 4026531840');
    expect(program().text).not.toContain('ns.inum !=');
  });

  it('skips tracepoints the kernel does not have', () => {
    const without = new Set([...ALL].filter((t) => !t.includes('openat2') && !t.includes('module')));
    const { text, tracepoints } = program({ tracepoints: without });
    expect(text).not.toContain('openat2');
    expect(text).not.toContain(`print((${KIND.module},`);
    expect(tracepoints).not.toContain('syscalls:sys_exit_openat2');
  });

  it('reads capability sets the way the kernel lays them out', () => {
    expect(program().text).toContain('curtask->cred->cap_effective.val');
    expect(program({ legacyCapabilities: true }).text).toContain(
      '(((uint64)curtask->cred->cap_effective.cap[1] << 32) | curtask->cred->cap_effective.cap[0])',
    );
  });

  it('cuts long strings in pieces of strlen - 1 bytes', () => {
    const { text } = program({ strlen: 64, stringPieces: 3 });
    expect(text).toContain('+ 63');
    expect(text).toContain('+ 126');
    expect(text).not.toContain('+ 189');
  });
});
