/**
 * x86_64 numbers of the system calls the sensor reports, to name events after the call that
 * really happened (`openat` vs `openat2`, `umount2` whose tracepoint is `sys_exit_umount`).
 */
// biome-ignore format: data table
const X86_64: readonly (readonly [number, string])[] = [
  [2, 'open'], [32, 'dup'], [33, 'dup2'], [41, 'socket'], [42, 'connect'], [43, 'accept'],
  [49, 'bind'], [50, 'listen'], [56, 'clone'], [57, 'fork'], [58, 'vfork'], [59, 'execve'],
  [62, 'kill'], [80, 'chdir'], [81, 'fchdir'], [82, 'rename'], [85, 'creat'], [86, 'link'],
  [87, 'unlink'], [88, 'symlink'], [90, 'chmod'], [91, 'fchmod'], [92, 'chown'], [93, 'fchown'],
  [94, 'lchown'], [101, 'ptrace'], [105, 'setuid'], [106, 'setgid'], [109, 'setpgid'],
  [112, 'setsid'], [113, 'setreuid'], [114, 'setregid'], [117, 'setresuid'], [119, 'setresgid'],
  [165, 'mount'], [166, 'umount2'], [175, 'init_module'], [257, 'openat'], [260, 'fchownat'],
  [263, 'unlinkat'], [264, 'renameat'], [265, 'linkat'], [266, 'symlinkat'], [268, 'fchmodat'],
  [272, 'unshare'], [288, 'accept4'], [292, 'dup3'], [308, 'setns'], [313, 'finit_module'],
  [316, 'renameat2'], [319, 'memfd_create'], [321, 'bpf'], [322, 'execveat'], [435, 'clone3'],
  [437, 'openat2'], [452, 'fchmodat2'],
];

const BY_NUMBER = new Map<number, string>(X86_64);

/** The name of a system call the sensor reports, or `fallback` for a number it does not know. */
export function syscallName(nr: number, fallback: string): string {
  return BY_NUMBER.get(nr) ?? fallback;
}
