import type { ContainerInfo, ContainerMount, RuntimeEvent } from '../../event/types.js';
import { compileGlob } from '../glob.js';
import { type FieldDef, keyed, plain, type Scalar, type ValueType } from './field.js';

/** Processes outside any container report `host` for their container id and name, as in Falco. */
const HOST = 'host';

const POD_NAME = 'io.kubernetes.pod.name';
const POD_NAMESPACE = 'io.kubernetes.pod.namespace';
const POD_UID = 'io.kubernetes.pod.uid';
const SANDBOX_ID = 'io.kubernetes.sandbox.id';
const KUBERNETES_LABEL_PREFIX = 'io.kubernetes.';

function containerField(
  name: string,
  type: ValueType,
  desc: string,
  get: (c: ContainerInfo, e: RuntimeEvent) => Scalar | undefined,
): FieldDef {
  return plain(name, type, desc, (e) => {
    const c = e.proc.container;
    return c === undefined ? undefined : get(c, e);
  });
}

/** Labels a Kubernetes pod put on its containers, without the runtime's own `io.kubernetes.*` ones. */
function podLabels(c: ContainerInfo): [string, string][] | undefined {
  if (c.labels[POD_NAME] === undefined) return undefined;
  return Object.entries(c.labels).filter(([k]) => !k.startsWith(KUBERNETES_LABEL_PREFIX));
}

const joinLabels = (entries: [string, string][]): string => entries.map(([k, v]) => `${k}:${v}`).join(', ');

const mountText = (m: ContainerMount): string =>
  `${m.source}:${m.dest}:${m.mode ?? ''}:${m.rw === false ? 'false' : 'true'}:${m.propagation ?? ''}`;

/**
 * `container.mount.*[arg]`: the mount at an index (`[0]`) or the one whose path matches a glob
 * (`[/proc*]`) — the destination for `container.mount.source`, the source for all the others.
 */
function mountField(
  name: string,
  desc: string,
  pick: (m: ContainerMount) => string,
  byDest: boolean,
): FieldDef {
  return {
    name,
    type: 'string',
    desc,
    argument: 'index or key',
    argumentRequired: true,
    bind: (arg) => {
      if (arg === undefined || arg.style !== 'bracket') {
        return `field '${name}' needs an index or a path, like ${name}[0] or ${name}[/lib/modules]`;
      }
      if (/^[0-9]+$/.test(arg.text)) {
        const index = Number(arg.text);
        return {
          type: 'string',
          get: (e) => {
            const m = e.proc.container?.mounts?.[index];
            return m === undefined ? undefined : pick(m);
          },
        };
      }
      const match = compileGlob(arg.text);
      return {
        type: 'string',
        get: (e) => {
          const m = e.proc.container?.mounts?.find((x) => match(byDest ? x.dest : x.source));
          return m === undefined ? undefined : pick(m);
        },
      };
    },
  };
}

export const CONTAINER_FIELDS: readonly FieldDef[] = [
  plain(
    'container.id',
    'string',
    "container id (12 characters), 'host' outside containers",
    (e) => e.proc.container?.id ?? HOST,
  ),
  plain(
    'container.full_id',
    'string',
    "full container id, 'host' outside containers",
    (e) => e.proc.container?.fullId ?? HOST,
  ),
  plain(
    'container.name',
    'string',
    "container name, 'host' outside containers",
    (e) => e.proc.container?.name ?? HOST,
  ),
  containerField('container.image', 'string', 'image reference of the container', (c) => c.image),
  containerField('container.image.id', 'string', 'image id of the container', (c) => c.imageId),
  containerField(
    'container.image.repository',
    'string',
    'image repository of the container',
    (c) => c.imageRepository,
  ),
  containerField('container.image.tag', 'string', 'image tag of the container', (c) => c.imageTag),
  containerField('container.image.digest', 'string', 'image digest of the container', (c) => c.imageDigest),
  containerField(
    'container.type',
    'string',
    "container runtime ('docker', 'containerd', 'cri-o')",
    (c) => c.type,
  ),
  containerField('container.privileged', 'bool', "'true' for privileged containers", (c) => c.privileged),
  containerField(
    'container.mounts',
    'string',
    'mounts as source:dest:mode:rw:propagation, comma separated',
    (c) => c.mounts?.map(mountText).join(','),
  ),
  mountField(
    'container.mount',
    'one mount as source:dest:mode:rw:propagation, by index or source glob',
    mountText,
    false,
  ),
  mountField(
    'container.mount.source',
    'source of a mount, by index or destination glob',
    (m) => m.source,
    true,
  ),
  mountField('container.mount.dest', 'destination of a mount, by index or source glob', (m) => m.dest, false),
  mountField('container.mount.mode', 'mode of a mount, by index or source glob', (m) => m.mode ?? '', false),
  mountField(
    'container.mount.rdwr',
    "'true' for a read-write mount, by index or source glob",
    (m) => String(m.rw !== false),
    false,
  ),
  mountField(
    'container.mount.propagation',
    'propagation of a mount, by index or source glob',
    (m) => m.propagation ?? '',
    false,
  ),
  keyed(
    'container.label',
    'string',
    'one container label: container.label.app or container.label[app]',
    (e, key) => e.proc.container?.labels[key],
  ),
  containerField('container.labels', 'string', "container labels as 'key:value, key:value'", (c) =>
    joinLabels(Object.entries(c.labels)),
  ),
  containerField(
    'container.start_ts',
    'abstime',
    'container start time (ns since the epoch)',
    (c) => c.startTs,
  ),
  containerField('container.duration', 'reltime', 'nanoseconds since the container started', (c, e) =>
    c.startTs === undefined ? undefined : Number(e.ts - c.startTs),
  ),
  containerField('container.ip', 'string', 'IP address of the container', (c) => c.ip),
  containerField(
    'container.host_pid',
    'bool',
    "'true' if the container shares the host PID namespace",
    (c) => c.hostPid,
  ),
  containerField(
    'container.host_network',
    'bool',
    "'true' if the container shares the host network",
    (c) => c.hostNetwork,
  ),
  containerField(
    'container.host_ipc',
    'bool',
    "'true' if the container shares the host IPC namespace",
    (c) => c.hostIpc,
  ),
  containerField('k8s.ns.name', 'string', 'Kubernetes namespace of the pod', (c) => c.labels[POD_NAMESPACE]),
  containerField('k8s.pod.name', 'string', 'Kubernetes pod name', (c) => c.labels[POD_NAME]),
  containerField('k8s.pod.id', 'string', 'Kubernetes pod uid', (c) => c.labels[POD_UID]),
  containerField('k8s.pod.uid', 'string', 'Kubernetes pod uid', (c) => c.labels[POD_UID]),
  containerField('k8s.pod.sandbox_id', 'string', 'pod sandbox container id (12 characters)', (c) =>
    c.labels[SANDBOX_ID]?.slice(0, 12),
  ),
  containerField(
    'k8s.pod.full_sandbox_id',
    'string',
    'pod sandbox container id',
    (c) => c.labels[SANDBOX_ID],
  ),
  keyed('k8s.pod.label', 'string', 'one pod label: k8s.pod.label.app or k8s.pod.label[app]', (e, key) => {
    const c = e.proc.container;
    return c === undefined || c.labels[POD_NAME] === undefined ? undefined : c.labels[key];
  }),
  containerField('k8s.pod.labels', 'string', "pod labels as 'key:value, key:value'", (c) => {
    const labels = podLabels(c);
    return labels === undefined ? undefined : joinLabels(labels);
  }),
];

export const USER_FIELDS: readonly FieldDef[] = [
  plain('user.uid', 'int', 'user id', (e) => e.proc.user.uid),
  plain('user.name', 'string', "user name, from the container's own /etc/passwd", (e) => e.proc.user.name),
  plain('user.homedir', 'string', 'home directory of the user', (e) => e.proc.user.homedir),
  plain('user.shell', 'string', 'login shell of the user', (e) => e.proc.user.shell),
  plain('user.loginuid', 'int', 'audit login uid (-1 when unset)', (e) => {
    const id = e.proc.loginUid;
    return id === undefined || id === 4294967295 ? -1 : id;
  }),
  plain('user.loginname', 'string', 'name of the audit login user', (e) => e.proc.loginUser),
  plain('group.gid', 'int', 'group id', (e) => e.proc.group.gid),
  plain('group.name', 'string', "group name, from the container's own /etc/group", (e) => e.proc.group.name),
];
