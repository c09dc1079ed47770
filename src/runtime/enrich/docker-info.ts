import { createContainer } from '../event/factory.js';
import type { ContainerInfo, ContainerMount } from '../event/types.js';

/**
 * What a container inspect document (`GET /containers/{id}/json`) says about a container,
 * in the event model's terms, plus what the sensor needs to look inside it.
 */
export interface ContainerRecord {
  readonly info: ContainerInfo;
  /** Host path of the container's root file system (overlay merged dir), when known. */
  readonly rootDir?: string;
  /** Host path of the writable upper layer, when the storage driver is overlay. */
  readonly upperDir?: string;
  /** Host pid of the container's init process (0 while it is not running). */
  readonly initPid: number;
  readonly running: boolean;
}

type Json = Record<string, unknown>;

const obj = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);

/** `repo[:tag]`, `repo@digest`: repository, tag and digest of an image reference. */
export function splitImageRef(ref: string): { repository: string; tag?: string; digest?: string } {
  const at = ref.indexOf('@');
  if (at >= 0) {
    const { repository, tag } = splitImageRef(ref.slice(0, at));
    return { repository, ...(tag === undefined ? {} : { tag }), digest: ref.slice(at + 1) };
  }
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repository: ref };
}

/** RFC 3339 with up to nanoseconds → ns since the epoch; undefined for Docker's zero time. */
export function parseDockerTime(text: string | undefined): bigint | undefined {
  if (text === undefined || text.startsWith('0001-')) return undefined;
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (m === null) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  const frac = BigInt((m[2] ?? '').padEnd(9, '0'));
  return BigInt(ms) * 1_000_000n + frac;
}

/**
 * The record for an inspect document. `imageDigest` comes from the image's repo digests
 * (an image built or imported locally has none).
 */
export function containerRecord(
  inspect: unknown,
  imageDigest: string | undefined,
): ContainerRecord | undefined {
  const c = obj(inspect);
  const fullId = str(c.Id);
  if (fullId === undefined || !/^[0-9a-f]{64}$/.test(fullId)) return undefined;
  const config = obj(c.Config);
  const host = obj(c.HostConfig);
  const state = obj(c.State);
  const graph = obj(obj(c.GraphDriver).Data);
  const net = obj(c.NetworkSettings);
  const image = str(config.Image) ?? str(c.Image) ?? '';
  const ref = splitImageRef(image);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(config.Labels))) if (typeof v === 'string') labels[k] = v;
  const mounts: ContainerMount[] = [];
  if (Array.isArray(c.Mounts)) {
    for (const m of c.Mounts) {
      const mount = obj(m);
      const source = str(mount.Source);
      const dest = str(mount.Destination);
      if (source === undefined || dest === undefined) continue;
      const mode = str(mount.Mode);
      const rw = bool(mount.RW);
      const propagation = str(mount.Propagation);
      mounts.push({
        source,
        dest,
        ...(mode === undefined ? {} : { mode }),
        ...(rw === undefined ? {} : { rw }),
        ...(propagation === undefined ? {} : { propagation }),
      });
    }
  }
  const info: ContainerInfo = createContainer({
    id: fullId.slice(0, 12),
    fullId,
    name: (str(c.Name) ?? fullId.slice(0, 12)).replace(/^\//, ''),
    image,
    imageId: str(c.Image),
    imageRepository: ref.repository,
    imageTag: ref.tag,
    imageDigest: ref.digest ?? imageDigest,
    type: 'docker',
    privileged: bool(host.Privileged),
    labels,
    mounts,
    startTs: parseDockerTime(str(state.StartedAt)),
    ip: str(net.IPAddress),
    hostPid: host.PidMode === 'host',
    hostNetwork: host.NetworkMode === 'host',
    hostIpc: host.IpcMode === 'host',
  });
  const rootDir = str(graph.MergedDir);
  const upperDir = str(graph.UpperDir);
  const pid = typeof state.Pid === 'number' ? state.Pid : 0;
  return {
    info,
    ...(rootDir === undefined ? {} : { rootDir }),
    ...(upperDir === undefined ? {} : { upperDir }),
    initPid: pid,
    running: state.Running === true,
  };
}

/** The digest of the first repo digest of an image inspect document (`repo@sha256:...`). */
export function imageRepoDigest(inspect: unknown): string | undefined {
  const digests = obj(inspect).RepoDigests;
  if (!Array.isArray(digests)) return undefined;
  for (const d of digests) {
    if (typeof d !== 'string') continue;
    const at = d.indexOf('@');
    if (at >= 0) return d.slice(at + 1);
  }
  return undefined;
}
