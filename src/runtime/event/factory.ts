import type { GroupInfo, ProcessInfo, UserInfo } from './types.js';

/** What a sensor knows about a process; the derived command-line strings are filled in here. */
export type ProcessInit = Omit<ProcessInfo, 'cmdline' | 'argsLine' | 'exe' | 'exePath' | 'args' | 'tty'> & {
  readonly exe?: string;
  readonly exePath?: string;
  readonly args?: readonly string[];
  readonly tty?: number;
};

const ROOT_USER: UserInfo = { uid: 0, name: 'root', homedir: '/root', shell: '/bin/sh' };
const ROOT_GROUP: GroupInfo = { gid: 0, name: 'root' };

/**
 * Builds a process snapshot. The space-joined strings are computed once here because every
 * rule that looks at `proc.cmdline` or `proc.args` would otherwise rebuild them per event.
 */
export function createProcess(init: ProcessInit): ProcessInfo {
  const args = init.args ?? [];
  const argsLine = args.join(' ');
  return {
    ...init,
    exe: init.exe ?? init.name,
    exePath: init.exePath ?? init.exe ?? init.name,
    args,
    tty: init.tty ?? 0,
    argsLine,
    cmdline: argsLine.length > 0 ? `${init.name} ${argsLine}` : init.name,
  };
}

/** A copy of `proc` with some fields changed (exec, setuid, chdir): a new snapshot. */
export function updateProcess(proc: ProcessInfo, change: Partial<ProcessInit>): ProcessInfo {
  const { cmdline: _cmdline, argsLine: _argsLine, ...rest } = proc;
  return createProcess({ ...rest, ...change });
}

export const rootUser = ROOT_USER;
export const rootGroup = ROOT_GROUP;
