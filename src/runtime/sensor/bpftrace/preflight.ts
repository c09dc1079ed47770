import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CeranaError } from '../../../common/errors.js';
import { mountNamespaceOf } from '../../enrich/proc-scan.js';

/**
 * Everything the bpftrace backend needs before it can start, checked up front so the user gets
 * one clear line (not a bpftrace compile error) when something is missing.
 */

export interface PreflightOptions {
  /** bpftrace executable: a path, or a name looked up in PATH (default `bpftrace`). */
  readonly bpftrace?: string;
  /** Where tracefs may be mounted, first match wins. */
  readonly tracefs?: readonly string[];
  readonly btf?: string;
  readonly procRoot?: string;
  /** Effective uid to check (default: this process's). */
  readonly uid?: number;
  readonly arch?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export interface Prerequisites {
  /** Absolute path of the bpftrace executable. */
  readonly bpftrace: string;
  readonly version: string;
  readonly tracefs: string;
  /** Available tracepoints as `group:name`. */
  readonly tracepoints: ReadonlySet<string>;
  /** The host's mount namespace (that of pid 1). */
  readonly hostMntns: number;
}

const DEFAULT_TRACEFS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];
const MIN_VERSION = [0, 16];
const GROUPS = ['syscalls', 'sched', 'task'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (name.includes('/')) return executable(name) ? name : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

/** `bpftrace v0.17.0` → [0, 17, 0]. */
export function parseVersion(text: string): number[] | undefined {
  const m = /v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return m === null ? undefined : [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

function atLeast(v: readonly number[], min: readonly number[]): boolean {
  for (let i = 0; i < min.length; i++) {
    const a = v[i] ?? 0;
    const b = min[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

export function checkPrerequisites(o: PreflightOptions = {}): Prerequisites {
  const arch = o.arch ?? process.arch;
  if (arch !== 'x64') {
    throw new CeranaError(
      'UNSUPPORTED',
      `the bpftrace sensor supports x86_64 hosts only (this one is ${arch})`,
      {
        hint: 'it reads system call arguments from x86_64 registers',
      },
    );
  }
  const uid = o.uid ?? process.geteuid?.() ?? 0;
  if (uid !== 0) {
    throw new CeranaError('UNSUPPORTED', 'the runtime sensor must run as root (it loads eBPF programs)', {
      hint: 'run it with sudo, or as root in a privileged agent container',
    });
  }
  const name = o.bpftrace ?? 'bpftrace';
  const bpftrace = findExecutable(name, o.env);
  if (bpftrace === undefined) {
    throw new CeranaError('NOT_FOUND', `bpftrace is not installed (${name} not found)`, {
      hint: 'install it: apt-get install bpftrace (Debian, Ubuntu), dnf install bpftrace (Fedora)',
    });
  }
  let versionText: string;
  try {
    versionText = execFileSync(bpftrace, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim();
  } catch (err) {
    throw new CeranaError('UNSUPPORTED', `${bpftrace} --version failed`, { cause: err });
  }
  const version = parseVersion(versionText);
  if (version === undefined || !atLeast(version, MIN_VERSION)) {
    throw new CeranaError(
      'UNSUPPORTED',
      `bpftrace ${MIN_VERSION.join('.')} or newer is needed (found: ${versionText})`,
      {
        hint: 'upgrade the bpftrace package',
      },
    );
  }
  const tracefs = (o.tracefs ?? DEFAULT_TRACEFS).find((dir) => existsSync(join(dir, 'events')));
  if (tracefs === undefined) {
    throw new CeranaError('UNSUPPORTED', 'tracefs is not mounted', {
      hint: 'mount it: mount -t tracefs nodev /sys/kernel/tracing',
    });
  }
  const tracepoints = new Set<string>();
  for (const group of GROUPS) {
    try {
      for (const event of readdirSync(join(tracefs, 'events', group))) tracepoints.add(`${group}:${event}`);
    } catch {
      // A missing group is reported below through the tracepoints it should have had.
    }
  }
  for (const needed of ['syscalls:sys_exit_openat', 'sched:sched_process_exec', 'sched:sched_process_exit']) {
    if (!tracepoints.has(needed)) {
      throw new CeranaError('UNSUPPORTED', `the kernel has no ${needed} tracepoint`, {
        hint: 'a kernel with CONFIG_FTRACE_SYSCALLS (system call tracepoints) is needed',
      });
    }
  }
  const btf = o.btf ?? '/sys/kernel/btf/vmlinux';
  if (!existsSync(btf)) {
    throw new CeranaError('UNSUPPORTED', 'the kernel has no BTF type information (/sys/kernel/btf/vmlinux)', {
      hint: 'a kernel built with CONFIG_DEBUG_INFO_BTF=y is needed (most distribution kernels since 2021)',
    });
  }
  // pid 1 may be off limits (a sandbox's init); this process then stands for the host.
  const hostMntns =
    mountNamespaceOf(1, o.procRoot ?? '/proc') ?? mountNamespaceOf(process.pid, o.procRoot ?? '/proc');
  if (hostMntns === undefined) {
    throw new CeranaError(
      'UNSUPPORTED',
      'cannot read the host mount namespace (/proc/1/ns/mnt, /proc/self/ns/mnt)',
      {
        hint: 'run in the host PID namespace (hostPID: true for a Kubernetes agent)',
      },
    );
  }
  return { bpftrace, version: versionText, tracefs, tracepoints, hostMntns };
}
