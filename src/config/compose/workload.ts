import type { At, ContainerModel, ContainerPort, VolumeModel, Workload } from '../workload/model.js';
import { bool, entries, get, items, num, type PMap, type PNode, str } from '../yaml/tree.js';
import type { ComposeProject } from './normalize.js';

function at<T>(node: PNode | undefined, read: (n: PNode | undefined) => T | undefined): At<T> | undefined {
  const value = read(node);
  return value === undefined || !node ? undefined : { value, span: node.span, file: node.file };
}

function derived<T>(value: T, node: PNode): At<T> {
  return { value, span: node.span, file: node.file };
}

/** Compose byte sizes (`512m`, `1g`) and Kubernetes quantities are kept as written; only presence matters. */
function quantity(node: PNode | undefined): At<string> | undefined {
  return at(node, (n) => (n?.kind === 'scalar' && n.value !== null ? String(n.value) : undefined));
}

/** `[HOST_IP:][HOST:]CONTAINER[/PROTO]` and the long syntax. */
function ports(node: PNode | undefined): ContainerPort[] {
  return items(node).flatMap((p): ContainerPort[] => {
    if (p.kind === 'map') {
      const port: ContainerPort = {};
      const target = at(get(p, 'target'), num);
      const published = at(get(p, 'published'), num);
      const hostIP = at(get(p, 'host_ip'), str);
      if (target) port.containerPort = target;
      if (published) port.hostPort = published;
      if (hostIP) port.hostIP = hostIP;
      return [port];
    }
    const text = str(p) ?? '';
    const [spec, proto] = text.split('/');
    const m = /^(?:(\[[^\]]+\]|[^:]+):)?(?:([\d-]*):)?([\d-]+)$/.exec(spec ?? '');
    if (!m) return [];
    const [, ipOrHost, host, container] = m;
    // "8080:80" parses as ip=8080, host=undefined: two parts mean HOST:CONTAINER.
    const hostPort = host ?? (ipOrHost && /^\d+(-\d+)?$/.test(ipOrHost) ? ipOrHost : undefined);
    const hostIP = host !== undefined ? ipOrHost : undefined;
    const port: ContainerPort = { containerPort: derived(Number((container ?? '').split('-')[0]), p) };
    if (hostPort !== undefined && hostPort !== '') port.hostPort = derived(Number(hostPort.split('-')[0]), p);
    else port.ephemeralHostPort = derived(true, p);
    if (hostIP !== undefined) port.hostIP = derived(hostIP.replace(/^\[|\]$/g, ''), p);
    if (proto) port.protocol = derived(proto, p);
    return [port];
  });
}

function volumes(
  node: PNode | undefined,
  named: Set<string>,
): { volumes: VolumeModel[]; mounts: ContainerModel['volumeMounts'] } {
  const out: VolumeModel[] = [];
  const mounts: ContainerModel['volumeMounts'] = [];
  items(node).forEach((v, n) => {
    let source = '';
    let target = '';
    let type = 'volume';
    let readOnly = false;
    if (v.kind === 'map') {
      source = str(get(v, 'source')) ?? '';
      target = str(get(v, 'target')) ?? '';
      type = str(get(v, 'type')) ?? 'volume';
      readOnly = bool(get(v, 'read_only')) ?? false;
    } else {
      const parts = (str(v) ?? '').split(':');
      if (parts.length === 1) target = parts[0] ?? '';
      else {
        source = parts[0] ?? '';
        target = parts[1] ?? '';
        readOnly = (parts[2] ?? '').split(',').includes('ro');
      }
      type = source === '' ? 'volume' : /^[./~]/.test(source) && !named.has(source) ? 'bind' : 'volume';
    }
    const name = `volume-${n}`;
    // Bind mounts are host paths; named and anonymous volumes are engine-managed storage; tmpfs is memory.
    const model: VolumeModel = {
      name,
      span: v.span,
      file: v.file,
      type: type === 'bind' ? 'hostPath' : type === 'tmpfs' ? 'emptyDir' : 'persistentVolumeClaim',
    };
    if (type === 'bind') model.hostPath = derived(source.replace(/^~/, '/root'), v);
    out.push(model);
    mounts.push({
      name: derived(name, v),
      mountPath: derived(target, v),
      ...(readOnly ? { readOnly: derived(true, v) } : {}),
    });
  });
  return { volumes: out, mounts };
}

/** security_opt entries: `key:value` or `key=value`. */
function securityOpts(node: PNode | undefined): { key: string; value: string; node: PNode }[] {
  return items(node).flatMap((n) => {
    const text = str(n) ?? '';
    const m = /^([a-z-]+)(?:[:=](.*))?$/.exec(text);
    return m ? [{ key: m[1] ?? '', value: m[2] ?? 'true', node: n }] : [];
  });
}

function userOf(node: PNode | undefined): { uid?: At<number>; gid?: At<number>; nonRoot?: At<boolean> } {
  const text = str(node);
  if (!node || text === undefined || text === '') return {};
  const [user, group] = text.split(':');
  const out: { uid?: At<number>; gid?: At<number>; nonRoot?: At<boolean> } = {};
  if (user !== undefined && /^\d+$/.test(user)) out.uid = derived(Number(user), node);
  if (group !== undefined && /^\d+$/.test(group)) out.gid = derived(Number(group), node);
  out.nonRoot = derived(user !== 'root' && user !== '0', node);
  return out;
}

export function serviceWorkload(
  name: string,
  service: { node: PMap; file: string; keySpan: Workload['span'] },
): Workload {
  const s = service.node;
  const named = new Set<string>();
  const vol = volumes(get(s, 'volumes'), named);
  const opts = securityOpts(get(s, 'security_opt'));
  const user = userOf(get(s, 'user'));
  const limits = get(s, 'deploy', 'resources', 'limits');
  const reservations = get(s, 'deploy', 'resources', 'reservations');
  const container: ContainerModel = {
    kind: 'container',
    name,
    span: service.keySpan,
    file: service.file,
    securityContext: { capabilities: { add: [], drop: [] }, present: true },
    ports: ports(get(s, 'ports')),
    env: entries(get(s, 'environment')).map((e) => ({
      name: { value: e.key, span: e.keySpan, file: e.value.file },
      ...(str(e.value) !== undefined ? { value: at(e.value, str) as At<string> } : {}),
    })),
    envFromSecrets: [],
    resources: { requests: {}, limits: {}, present: limits !== undefined },
    probes: {},
    lifecycle: {},
    volumeMounts: vol.mounts,
  };
  const sc = container.securityContext;
  const image = at(get(s, 'image'), str);
  if (image) container.image = image;
  const privileged = at(get(s, 'privileged'), bool);
  if (privileged) sc.privileged = privileged;
  const readOnly = at(get(s, 'read_only'), bool);
  if (readOnly) sc.readOnlyRootFilesystem = readOnly;
  const caps = (n: PNode | undefined): At<string>[] =>
    items(n).flatMap((c) => (str(c) ? [derived((str(c) ?? '').toUpperCase().replace(/^CAP_/, ''), c)] : []));
  sc.capabilities = { add: caps(get(s, 'cap_add')), drop: caps(get(s, 'cap_drop')) };
  if (user.uid) sc.runAsUser = user.uid;
  if (user.gid) sc.runAsGroup = user.gid;
  if (user.nonRoot) sc.runAsNonRoot = user.nonRoot;
  // Docker applies its default seccomp and AppArmor profiles unless told otherwise.
  sc.seccompProfile = { type: derived('RuntimeDefault', s) };
  for (const o of opts) {
    if (o.key === 'no-new-privileges' && o.value !== 'false')
      sc.allowPrivilegeEscalation = derived(false, o.node);
    if (o.key === 'seccomp')
      sc.seccompProfile = { type: derived(o.value === 'unconfined' ? 'Unconfined' : 'Localhost', o.node) };
    if (o.key === 'apparmor')
      sc.appArmorProfile = { type: derived(o.value === 'unconfined' ? 'Unconfined' : 'Localhost', o.node) };
    if (o.key === 'label') {
      const [k, v] = o.value.split(':');
      sc.seLinuxOptions ??= {};
      if (k === 'disable') sc.seLinuxOptions.type = derived('spc_t', o.node);
      else if (k === 'type' || k === 'user' || k === 'role' || k === 'level')
        sc.seLinuxOptions[k] = derived(v ?? '', o.node);
    }
  }
  const memLimit = quantity(get(limits, 'memory')) ?? quantity(get(s, 'mem_limit'));
  const cpuLimit = quantity(get(limits, 'cpus')) ?? quantity(get(s, 'cpus'));
  const memRequest = quantity(get(reservations, 'memory')) ?? quantity(get(s, 'mem_reservation'));
  const cpuRequest = quantity(get(reservations, 'cpus'));
  if (memLimit) container.resources.limits.memory = memLimit;
  if (cpuLimit) container.resources.limits.cpu = cpuLimit;
  if (memRequest) container.resources.requests.memory = memRequest;
  if (cpuRequest) container.resources.requests.cpu = cpuRequest;
  const health = get(s, 'healthcheck');
  const disabled = bool(get(health, 'disable')) === true || str(items(get(health, 'test'))[0]) === 'NONE';
  if (health && !disabled)
    container.probes.liveness = { span: health.span, file: health.file, handler: 'exec' };

  const workload: Workload = {
    source: 'compose',
    file: service.file,
    object: `service ${name}`,
    kind: 'service',
    name,
    span: service.keySpan,
    labels: Object.fromEntries(entries(get(s, 'labels')).map((e) => [e.key, str(e.value) ?? ''])),
    podLabels: {},
    annotations: {},
    securityContext: {
      supplementalGroups: items(get(s, 'group_add')).flatMap((g) => at(g, num) ?? []),
      sysctls: entries(get(s, 'sysctls')).map((e) => ({
        name: { value: e.key, span: e.keySpan, file: e.value.file },
      })),
    },
    volumes: vol.volumes,
    containers: [container],
    devices: items(get(s, 'devices')).flatMap((d) =>
      str(d)
        ? [derived(str(d) ?? '', d)]
        : str(get(d, 'source'))
          ? [derived(str(get(d, 'source')) ?? '', d)]
          : [],
    ),
  };
  const host = (key: string): At<boolean> | undefined => {
    const n = get(s, key);
    return str(n) === 'host' && n ? derived(true, n) : undefined;
  };
  const pid = host('pid');
  const ipc = host('ipc');
  const net = host('network_mode');
  const uts = host('uts');
  if (pid) workload.hostPID = pid;
  if (ipc) workload.hostIPC = ipc;
  if (net) workload.hostNetwork = net;
  if (uts) workload.hostUTS = uts;
  const pids = at(get(limits, 'pids'), num) ?? at(get(s, 'pids_limit'), num);
  if (pids) workload.pidsLimit = pids;
  if (disabled && health) workload.healthcheckDisabled = derived(true, health);
  return workload;
}

export function composeWorkloads(project: ComposeProject): Workload[] {
  return [...project.services].map(([name, service]) => serviceWorkload(name, service));
}
