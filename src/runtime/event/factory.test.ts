import { describe, expect, it } from 'vitest';
import { createEvent, createFd, createProcess, updateProcess } from './factory.js';

describe('event model constructors', () => {
  const sh = createProcess({
    pid: 5,
    ppid: 1,
    name: 'sh',
    args: ['-c', 'ls -l'],
    user: { uid: 0 },
    group: { gid: 0 },
  });

  it('derive command lines and defaults once, when the snapshot is built', () => {
    expect(sh).toMatchObject({
      exe: 'sh',
      exePath: 'sh',
      tty: 0,
      argsLine: '-c ls -l',
      cmdline: 'sh -c ls -l',
    });
    expect(
      createProcess({ pid: 6, ppid: 5, name: 'true', user: { uid: 0 }, group: { gid: 0 } }).cmdline,
    ).toBe('true');
  });

  it('give every object of a kind the same property order (one hidden class)', () => {
    const bare = createProcess({ pid: 1, ppid: 0, name: 'init', user: { uid: 0 }, group: { gid: 0 } });
    expect(Object.keys(bare)).toEqual(Object.keys(sh));
    const e1 = createEvent({ num: 1, ts: 1n, type: 'close', tid: 5, args: {}, proc: sh });
    const e2 = createEvent({
      num: 2,
      ts: 2n,
      type: 'openat',
      tid: 5,
      res: 3,
      args: {},
      proc: sh,
      fd: createFd({ num: 3, type: 'file', name: '/x' }),
    });
    expect(Object.keys(e1)).toEqual(Object.keys(e2));
    expect(e1.dir).toBe('<');
  });

  it('replace a snapshot on exec, keeping the old one intact', () => {
    const exec = updateProcess(sh, { name: 'ls', exe: 'ls', exePath: '/bin/ls', args: ['-l'] });
    expect(exec.cmdline).toBe('ls -l');
    expect(sh.cmdline).toBe('sh -c ls -l');
    expect(exec.pid).toBe(5);
  });
});
