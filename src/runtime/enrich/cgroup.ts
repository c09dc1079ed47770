/**
 * Container ids from `/proc/<pid>/cgroup`. Works for cgroup v1 (one line per hierarchy), v2
 * (`0::/...`) and hybrids, and for the path shapes runtimes and orchestrators use:
 *   /docker/<id>                                   (cgroupfs driver)
 *   /system.slice/docker-<id>.scope                (systemd driver)
 *   /kubepods/burstable/pod<uid>/<id>              (kubelet, cgroupfs)
 *   /kubepods.slice/.../cri-containerd-<id>.scope  (kubelet, systemd; crio-<id>.scope for CRI-O)
 */

const LEAF = /(?:^|\/|-)([0-9a-f]{64})(?:\.scope)?$/;

export interface CgroupContainer {
  readonly id: string;
  /** The runtime the path names, when it does (`docker`, `containerd`, `cri-o`). */
  readonly runtime?: string;
}

function runtimeOf(path: string): string | undefined {
  if (path.includes('docker')) return 'docker';
  if (path.includes('cri-containerd') || path.includes('containerd')) return 'containerd';
  if (path.includes('crio')) return 'cri-o';
  return undefined;
}

/** The container a process belongs to according to its cgroup file, if any. */
export function containerFromCgroup(text: string): CgroupContainer | undefined {
  for (const line of text.split('\n')) {
    // hierarchy-id:controllers:path — the path may itself contain colons.
    const second = line.indexOf(':', line.indexOf(':') + 1);
    if (second < 0) continue;
    const path = line.slice(second + 1).trim();
    const m = LEAF.exec(path);
    if (m?.[1] === undefined) continue;
    const runtime = runtimeOf(path);
    return runtime === undefined ? { id: m[1] } : { id: m[1], runtime };
  }
  return undefined;
}
