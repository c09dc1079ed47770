import { CeranaError } from '../../common/errors.js';
import type { At, ContainerModel, ContainerPort, VolumeModel, Workload } from '../workload/model.js';
import { bool, entries, get, items, num, type PNode, parseYaml, str } from '../yaml/tree.js';

/**
 * `docker inspect` output (containers) in the workload model, so running containers are checked
 * by the same rules as Compose services and pods (CIS Docker section 5).
 */
function derived<T>(value: T, node: PNode): At<T> {
  return { value, span: node.span, file: node.file };
}

function at<T>(node: PNode | undefined, read: (n: PNode | undefined) => T | undefined): At<T> | undefined {
  const value = read(node);
  return value === undefined || !node ? undefined : derived(value, node);
}

function positive(node: PNode | undefined): At<string> | undefined {
  const n = num(node);
  return n !== undefined && n > 0 && node ? derived(String(n), node) : undefined;
}

export function isDockerInspect(root: PNode | null | undefined): boolean {
  const first = root?.kind === 'seq' ? root.items[0] : undefined;
  return get(first, 'HostConfig')?.kind === 'map' && get(first, 'Config')?.kind === 'map';
}

export function containerWorkload(node: PNode): Workload {
  const host = get(node, 'HostConfig');
  const config = get(node, 'Config');
  const name = (str(get(node, 'Name')) ?? str(get(node, 'Id')) ?? 'container').replace(/^\//, '');
  const ports: ContainerPort[] = entries(get(host, 'PortBindings')).flatMap((e) =>
    items(e.value).map((b) => {
      const port: ContainerPort = { containerPort: derived(Number(e.key.split('/')[0]), b) };
      const hostPort = str(get(b, 'HostPort'));
      const hostIP = at(get(b, 'HostIp'), str);
      if (hostPort) port.hostPort = derived(Number(hostPort), b);
      else port.ephemeralHostPort = derived(true, b);
      if (hostIP && hostIP.value !== '') port.hostIP = hostIP;
      return port;
    }),
  );
  const volumes: VolumeModel[] = items(get(node, 'Mounts')).map((m, n) => {
    const type = str(get(m, 'Type'));
    const v: VolumeModel = {
      name: `mount-${n}`,
      span: m.span,
      file: m.file,
      type: type === 'bind' ? 'hostPath' : type === 'tmpfs' ? 'emptyDir' : 'persistentVolumeClaim',
    };
    const source = at(get(m, 'Source'), str);
    if (type === 'bind' && source) v.hostPath = source;
    return v;
  });
  const user = get(config, 'User');
  const [uid, gid] = (str(user) ?? '').split(':');
  const container: ContainerModel = {
    kind: 'container',
    name,
    span: node.span,
    file: node.file,
    securityContext: { capabilities: { add: [], drop: [] }, present: true },
    ports,
    env: items(get(config, 'Env')).flatMap((e) => {
      const text = str(e) ?? '';
      const eq = text.indexOf('=');
      return eq > 0 ? [{ name: derived(text.slice(0, eq), e), value: derived(text.slice(eq + 1), e) }] : [];
    }),
    envFromSecrets: [],
    resources: { requests: {}, limits: {}, present: true },
    probes: {},
    lifecycle: {},
    volumeMounts: [],
  };
  const sc = container.securityContext;
  const image = at(get(config, 'Image'), str);
  if (image) container.image = image;
  const privileged = at(get(host, 'Privileged'), bool);
  if (privileged) sc.privileged = privileged;
  const ro = at(get(host, 'ReadonlyRootfs'), bool);
  if (ro) sc.readOnlyRootFilesystem = ro;
  const caps = (n: PNode | undefined) =>
    items(n).flatMap((c) => (str(c) ? [derived((str(c) ?? '').toUpperCase().replace(/^CAP_/, ''), c)] : []));
  sc.capabilities = { add: caps(get(host, 'CapAdd')), drop: caps(get(host, 'CapDrop')) };
  if (user && uid !== undefined && uid !== '') {
    if (/^\d+$/.test(uid)) sc.runAsUser = derived(Number(uid), user);
    if (gid !== undefined && /^\d+$/.test(gid)) sc.runAsGroup = derived(Number(gid), user);
    sc.runAsNonRoot = derived(uid !== 'root' && uid !== '0', user);
  }
  sc.seccompProfile = { type: derived('RuntimeDefault', node) };
  for (const o of items(get(host, 'SecurityOpt'))) {
    const [key, value = 'true'] = (str(o) ?? '').split(/[:=]/, 2);
    if (key === 'no-new-privileges' && value !== 'false') sc.allowPrivilegeEscalation = derived(false, o);
    if (key === 'seccomp')
      sc.seccompProfile = { type: derived(value === 'unconfined' ? 'Unconfined' : 'Localhost', o) };
    if (key === 'apparmor')
      sc.appArmorProfile = { type: derived(value === 'unconfined' ? 'Unconfined' : 'Localhost', o) };
    if (key === 'label' && value === 'disable') sc.seLinuxOptions = { type: derived('spc_t', o) };
  }
  const memory = positive(get(host, 'Memory'));
  const cpus = positive(get(host, 'NanoCpus')) ?? positive(get(host, 'CpuQuota'));
  if (memory) container.resources.limits.memory = memory;
  if (cpus) container.resources.limits.cpu = cpus;
  const health = get(config, 'Healthcheck');
  if (health && str(items(get(health, 'Test'))[0]) !== 'NONE')
    container.probes.liveness = { span: health.span, file: health.file, handler: 'exec' };

  const workload: Workload = {
    source: 'docker',
    file: node.file,
    object: `container ${name}`,
    kind: 'container',
    name,
    span: node.span,
    labels: Object.fromEntries(entries(get(config, 'Labels')).map((e) => [e.key, str(e.value) ?? ''])),
    podLabels: {},
    annotations: {},
    securityContext: {
      supplementalGroups: [],
      sysctls: entries(get(host, 'Sysctls')).map((e) => ({
        name: { value: e.key, span: e.keySpan, file: e.value.file },
      })),
    },
    volumes,
    containers: [container],
    devices: items(get(host, 'Devices')).flatMap((d) =>
      str(get(d, 'PathOnHost')) ? [derived(str(get(d, 'PathOnHost')) ?? '', d)] : [],
    ),
  };
  const mode = (key: string) => {
    const n = get(host, key);
    return str(n) === 'host' && n ? derived(true, n) : undefined;
  };
  const pid = mode('PidMode');
  const ipc = mode('IpcMode');
  const net = mode('NetworkMode');
  const uts = mode('UTSMode');
  if (pid) workload.hostPID = pid;
  if (ipc) workload.hostIPC = ipc;
  if (net) workload.hostNetwork = net;
  if (uts) workload.hostUTS = uts;
  const pids = get(host, 'PidsLimit');
  const pidsValue = num(pids);
  if (pids && pidsValue !== undefined && pidsValue > 0) workload.pidsLimit = derived(pidsValue, pids);
  return workload;
}

export function dockerInspectWorkloads(path: string, text: string): Workload[] {
  const root = parseYaml(path, text)[0]?.root;
  if (!isDockerInspect(root))
    throw new CeranaError('INPUT', `${path}: not \`docker inspect\` output for containers`);
  return items(root ?? undefined).map(containerWorkload);
}
