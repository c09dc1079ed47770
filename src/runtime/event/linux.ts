/**
 * Linux x86_64 ABI constants the event model needs to name things the way Falco rules and
 * outputs expect (`O_TRUNC`, `PTRACE_ATTACH`, `AF_PACKET`, `ENOENT`, `CAP_SYS_ADMIN`).
 */

/** System call names, in syscall-number order. */
// biome-ignore format: data table
export const SYSCALL_NAMES: readonly string[] = [
  'read', 'write', 'open', 'close', 'stat', 'fstat', 'lstat', 'poll', 'lseek', 'mmap', 'mprotect',
  'munmap', 'brk', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'ioctl', 'pread64', 'pwrite64',
  'readv', 'writev', 'access', 'pipe', 'select', 'sched_yield', 'mremap', 'msync', 'mincore', 'madvise',
  'shmget', 'shmat', 'shmctl', 'dup', 'dup2', 'pause', 'nanosleep', 'getitimer', 'alarm', 'setitimer',
  'getpid', 'sendfile', 'socket', 'connect', 'accept', 'sendto', 'recvfrom', 'sendmsg', 'recvmsg',
  'shutdown', 'bind', 'listen', 'getsockname', 'getpeername', 'socketpair', 'setsockopt', 'getsockopt',
  'clone', 'fork', 'vfork', 'execve', 'exit', 'wait4', 'kill', 'uname', 'semget', 'semop', 'semctl',
  'shmdt', 'msgget', 'msgsnd', 'msgrcv', 'msgctl', 'fcntl', 'flock', 'fsync', 'fdatasync', 'truncate',
  'ftruncate', 'getdents', 'getcwd', 'chdir', 'fchdir', 'rename', 'mkdir', 'rmdir', 'creat', 'link',
  'unlink', 'symlink', 'readlink', 'chmod', 'fchmod', 'chown', 'fchown', 'lchown', 'umask',
  'gettimeofday', 'getrlimit', 'getrusage', 'sysinfo', 'times', 'ptrace', 'getuid', 'syslog', 'getgid',
  'setuid', 'setgid', 'geteuid', 'getegid', 'setpgid', 'getppid', 'getpgrp', 'setsid', 'setreuid',
  'setregid', 'getgroups', 'setgroups', 'setresuid', 'getresuid', 'setresgid', 'getresgid', 'getpgid',
  'setfsuid', 'setfsgid', 'getsid', 'capget', 'capset', 'rt_sigpending', 'rt_sigtimedwait',
  'rt_sigqueueinfo', 'rt_sigsuspend', 'sigaltstack', 'utime', 'mknod', 'uselib', 'personality', 'ustat',
  'statfs', 'fstatfs', 'sysfs', 'getpriority', 'setpriority', 'sched_setparam', 'sched_getparam',
  'sched_setscheduler', 'sched_getscheduler', 'sched_get_priority_max', 'sched_get_priority_min',
  'sched_rr_get_interval', 'mlock', 'munlock', 'mlockall', 'munlockall', 'vhangup', 'modify_ldt',
  'pivot_root', '_sysctl', 'prctl', 'arch_prctl', 'adjtimex', 'setrlimit', 'chroot', 'sync', 'acct',
  'settimeofday', 'mount', 'umount2', 'swapon', 'swapoff', 'reboot', 'sethostname', 'setdomainname',
  'iopl', 'ioperm', 'create_module', 'init_module', 'delete_module', 'get_kernel_syms', 'query_module',
  'quotactl', 'nfsservctl', 'getpmsg', 'putpmsg', 'afs_syscall', 'tuxcall', 'security', 'gettid',
  'readahead', 'setxattr', 'lsetxattr', 'fsetxattr', 'getxattr', 'lgetxattr', 'fgetxattr', 'listxattr',
  'llistxattr', 'flistxattr', 'removexattr', 'lremovexattr', 'fremovexattr', 'tkill', 'time', 'futex',
  'sched_setaffinity', 'sched_getaffinity', 'set_thread_area', 'io_setup', 'io_destroy', 'io_getevents',
  'io_submit', 'io_cancel', 'get_thread_area', 'lookup_dcookie', 'epoll_create', 'epoll_ctl_old',
  'epoll_wait_old', 'remap_file_pages', 'getdents64', 'set_tid_address', 'restart_syscall', 'semtimedop',
  'fadvise64', 'timer_create', 'timer_settime', 'timer_gettime', 'timer_getoverrun', 'timer_delete',
  'clock_settime', 'clock_gettime', 'clock_getres', 'clock_nanosleep', 'exit_group', 'epoll_wait',
  'epoll_ctl', 'tgkill', 'utimes', 'vserver', 'mbind', 'set_mempolicy', 'get_mempolicy', 'mq_open',
  'mq_unlink', 'mq_timedsend', 'mq_timedreceive', 'mq_notify', 'mq_getsetattr', 'kexec_load', 'waitid',
  'add_key', 'request_key', 'keyctl', 'ioprio_set', 'ioprio_get', 'inotify_init', 'inotify_add_watch',
  'inotify_rm_watch', 'migrate_pages', 'openat', 'mkdirat', 'mknodat', 'fchownat', 'futimesat',
  'newfstatat', 'unlinkat', 'renameat', 'linkat', 'symlinkat', 'readlinkat', 'fchmodat', 'faccessat',
  'pselect6', 'ppoll', 'unshare', 'set_robust_list', 'get_robust_list', 'splice', 'tee',
  'sync_file_range', 'vmsplice', 'move_pages', 'utimensat', 'epoll_pwait', 'signalfd', 'timerfd_create',
  'eventfd', 'fallocate', 'timerfd_settime', 'timerfd_gettime', 'accept4', 'signalfd4', 'eventfd2',
  'epoll_create1', 'dup3', 'pipe2', 'inotify_init1', 'preadv', 'pwritev', 'rt_tgsigqueueinfo',
  'perf_event_open', 'recvmmsg', 'fanotify_init', 'fanotify_mark', 'prlimit64', 'name_to_handle_at',
  'open_by_handle_at', 'clock_adjtime', 'syncfs', 'sendmmsg', 'setns', 'getcpu', 'process_vm_readv',
  'process_vm_writev', 'kcmp', 'finit_module', 'sched_setattr', 'sched_getattr', 'renameat2', 'seccomp',
  'getrandom', 'memfd_create', 'kexec_file_load', 'bpf', 'execveat', 'userfaultfd', 'membarrier',
  'mlock2', 'copy_file_range', 'preadv2', 'pwritev2', 'pkey_mprotect', 'pkey_alloc', 'pkey_free',
  'statx', 'io_pgetevents', 'rseq', 'pidfd_send_signal', 'io_uring_setup', 'io_uring_enter',
  'io_uring_register', 'open_tree', 'move_mount', 'fsopen', 'fsconfig', 'fsmount', 'fspick',
  'pidfd_open', 'clone3', 'close_range', 'openat2', 'pidfd_getfd', 'faccessat2', 'process_madvise',
  'epoll_pwait2', 'mount_setattr', 'quotactl_fd', 'landlock_create_ruleset', 'landlock_add_rule',
  'landlock_restrict_self', 'memfd_secret', 'process_mrelease', 'futex_waitv', 'set_mempolicy_home_node',
];

/** Falco's meta events: not system calls, but things the engine learns about (exits, containers...). */
// biome-ignore format: data table
export const META_EVENT_NAMES: readonly string[] = [
  'procexit', 'switch', 'signaldeliver', 'page_fault', 'container', 'cpu_hotplug', 'drop', 'notification',
  'infra', 'k8s', 'tracer', 'mesos', 'meta', 'procinfo', 'pluginevent', 'asyncevent',
];

/** Names libsinsp gives some system calls (pread for pread64, the generic `syscall`, 32-bit variants). */
// biome-ignore format: data table
export const SYSCALL_ALIASES: readonly string[] = [
  'syscall', 'pread', 'pwrite', 'prlimit', 'umount', 'stat64', 'fstat64', 'lstat64', 'fcntl64', 'mmap2', 'llseek',
  'socketcall', 'sendfile64',
];

/** errno values to their names. */
// biome-ignore format: data table
export const ERRNO_NAMES: ReadonlyMap<number, string> = new Map<number, string>([
  [1,'EPERM'], [2,'ENOENT'], [3,'ESRCH'], [4,'EINTR'], [5,'EIO'], [6,'ENXIO'], [7,'E2BIG'],
  [8,'ENOEXEC'], [9,'EBADF'], [10,'ECHILD'], [11,'EAGAIN'], [12,'ENOMEM'], [13,'EACCES'], [14,'EFAULT'],
  [15,'ENOTBLK'], [16,'EBUSY'], [17,'EEXIST'], [18,'EXDEV'], [19,'ENODEV'], [20,'ENOTDIR'],
  [21,'EISDIR'], [22,'EINVAL'], [23,'ENFILE'], [24,'EMFILE'], [25,'ENOTTY'], [26,'ETXTBSY'],
  [27,'EFBIG'], [28,'ENOSPC'], [29,'ESPIPE'], [30,'EROFS'], [31,'EMLINK'], [32,'EPIPE'], [33,'EDOM'],
  [34,'ERANGE'], [35,'EDEADLK'], [36,'ENAMETOOLONG'], [37,'ENOLCK'], [38,'ENOSYS'], [39,'ENOTEMPTY'],
  [40,'ELOOP'], [42,'ENOMSG'], [43,'EIDRM'], [44,'ECHRNG'], [45,'EL2NSYNC'], [46,'EL3HLT'],
  [47,'EL3RST'], [48,'ELNRNG'], [49,'EUNATCH'], [50,'ENOCSI'], [51,'EL2HLT'], [52,'EBADE'], [53,'EBADR'],
  [54,'EXFULL'], [55,'ENOANO'], [56,'EBADRQC'], [57,'EBADSLT'], [59,'EBFONT'], [60,'ENOSTR'],
  [61,'ENODATA'], [62,'ETIME'], [63,'ENOSR'], [64,'ENONET'], [65,'ENOPKG'], [66,'EREMOTE'],
  [67,'ENOLINK'], [68,'EADV'], [69,'ESRMNT'], [70,'ECOMM'], [71,'EPROTO'], [72,'EMULTIHOP'],
  [73,'EDOTDOT'], [74,'EBADMSG'], [75,'EOVERFLOW'], [76,'ENOTUNIQ'], [77,'EBADFD'], [78,'EREMCHG'],
  [79,'ELIBACC'], [80,'ELIBBAD'], [81,'ELIBSCN'], [82,'ELIBMAX'], [83,'ELIBEXEC'], [84,'EILSEQ'],
  [85,'ERESTART'], [86,'ESTRPIPE'], [87,'EUSERS'], [88,'ENOTSOCK'], [89,'EDESTADDRREQ'], [90,'EMSGSIZE'],
  [91,'EPROTOTYPE'], [92,'ENOPROTOOPT'], [93,'EPROTONOSUPPORT'], [94,'ESOCKTNOSUPPORT'],
  [95,'EOPNOTSUPP'], [96,'EPFNOSUPPORT'], [97,'EAFNOSUPPORT'], [98,'EADDRINUSE'], [99,'EADDRNOTAVAIL'],
  [100,'ENETDOWN'], [101,'ENETUNREACH'], [102,'ENETRESET'], [103,'ECONNABORTED'], [104,'ECONNRESET'],
  [105,'ENOBUFS'], [106,'EISCONN'], [107,'ENOTCONN'], [108,'ESHUTDOWN'], [109,'ETOOMANYREFS'],
  [110,'ETIMEDOUT'], [111,'ECONNREFUSED'], [112,'EHOSTDOWN'], [113,'EHOSTUNREACH'], [114,'EALREADY'],
  [115,'EINPROGRESS'], [116,'ESTALE'], [117,'EUCLEAN'], [118,'ENOTNAM'], [119,'ENAVAIL'], [120,'EISNAM'],
  [121,'EREMOTEIO'], [122,'EDQUOT'], [123,'ENOMEDIUM'], [124,'EMEDIUMTYPE'], [125,'ECANCELED'],
  [126,'ENOKEY'], [127,'EKEYEXPIRED'], [128,'EKEYREVOKED'], [129,'EKEYREJECTED'], [130,'EOWNERDEAD'],
  [131,'ENOTRECOVERABLE'], [132,'ERFKILL'], [133,'EHWPOISON'],
]);

/** Capability names indexed by capability number. */
// biome-ignore format: data table
export const CAPABILITY_NAMES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT',
  'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN',
  'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];
