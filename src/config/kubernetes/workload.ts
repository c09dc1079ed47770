import type {
  At,
  CommonSecurityContext,
  ContainerModel,
  ContainerSecurityContext,
  PodSecurityContext,
  ProbeModel,
  VolumeModel,
  Workload,
} from '../workload/model.js';
import { bool, entries, entry, get, items, num, type PNode, str } from '../yaml/tree.js';
import { type K8sObject, objectRef } from './objects.js';

/** Where the pod template lives in each workload kind. */
const POD_PATHS: Record<string, string[]> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  PodTemplate: ['template'],
};

function at<T>(node: PNode | undefined, read: (n: PNode | undefined) => T | undefined): At<T> | undefined {
  const value = read(node);
  return value === undefined || !node ? undefined : { value, span: node.span, file: node.file };
}

function stringMap(node: PNode | undefined): Record<string, string> {
  return Object.fromEntries(entries(node).map((e) => [e.key, str(e.value) ?? '']));
}

function common(sc: PNode | undefined): CommonSecurityContext {
  const out: CommonSecurityContext = {};
  const runAsUser = at(get(sc, 'runAsUser'), num);
  const runAsGroup = at(get(sc, 'runAsGroup'), num);
  const runAsNonRoot = at(get(sc, 'runAsNonRoot'), bool);
  if (runAsUser) out.runAsUser = runAsUser;
  if (runAsGroup) out.runAsGroup = runAsGroup;
  if (runAsNonRoot) out.runAsNonRoot = runAsNonRoot;
  const seccompType = at(get(sc, 'seccompProfile', 'type'), str);
  if (seccompType) {
    const localhostProfile = at(get(sc, 'seccompProfile', 'localhostProfile'), str);
    out.seccompProfile = { type: seccompType, ...(localhostProfile ? { localhostProfile } : {}) };
  }
  const appArmorType = at(get(sc, 'appArmorProfile', 'type'), str);
  if (appArmorType) out.appArmorProfile = { type: appArmorType };
  const se = get(sc, 'seLinuxOptions');
  if (se) {
    out.seLinuxOptions = {};
    for (const key of ['type', 'user', 'role', 'level'] as const) {
      const v = at(get(se, key), str);
      if (v) out.seLinuxOptions[key] = v;
    }
  }
  const hostProcess = at(get(sc, 'windowsOptions', 'hostProcess'), bool);
  if (hostProcess) out.windowsHostProcess = hostProcess;
  return out;
}

function probe(node: PNode | undefined): ProbeModel | undefined {
  if (!node || node.kind !== 'map') return undefined;
  const handler = (['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'] as const).find((h) => get(node, h));
  const host =
    handler === 'httpGet' || handler === 'tcpSocket' ? at(get(node, handler, 'host'), str) : undefined;
  return { span: node.span, file: node.file, handler: handler ?? 'none', ...(host ? { host } : {}) };
}

function container(node: PNode, kind: ContainerModel['kind']): ContainerModel {
  const sc = get(node, 'securityContext');
  const securityContext: ContainerSecurityContext = {
    ...common(sc),
    capabilities: {
      add: items(get(sc, 'capabilities', 'add')).flatMap((n) => at(n, str) ?? []),
      drop: items(get(sc, 'capabilities', 'drop')).flatMap((n) => at(n, str) ?? []),
    },
    present: sc?.kind === 'map',
  };
  for (const key of ['privileged', 'allowPrivilegeEscalation', 'readOnlyRootFilesystem'] as const) {
    const v = at(get(sc, key), bool);
    if (v) securityContext[key] = v;
  }
  const procMount = at(get(sc, 'procMount'), str);
  if (procMount) securityContext.procMount = procMount;
  const res = get(node, 'resources');
  const quantity = (group: string, name: string) => at(get(res, group, name), (n) => str(n));
  const model: ContainerModel = {
    kind,
    name: str(get(node, 'name')) ?? '',
    span: node.span,
    file: node.file,
    securityContext,
    ports: items(get(node, 'ports')).map((p) => {
      const port: ContainerModel['ports'][number] = {};
      const containerPort = at(get(p, 'containerPort'), num);
      const hostPort = at(get(p, 'hostPort'), num);
      const hostIP = at(get(p, 'hostIP'), str);
      const protocol = at(get(p, 'protocol'), str);
      if (containerPort) port.containerPort = containerPort;
      if (hostPort) port.hostPort = hostPort;
      if (hostIP) port.hostIP = hostIP;
      if (protocol) port.protocol = protocol;
      return port;
    }),
    env: items(get(node, 'env')).flatMap((e) => {
      const name = at(get(e, 'name'), str);
      if (!name) return [];
      const value = at(get(e, 'value'), str);
      const from = entries(get(e, 'valueFrom'))[0]?.key;
      return [{ name, ...(value ? { value } : {}), ...(from ? { valueFrom: from } : {}) }];
    }),
    envFromSecrets: items(get(node, 'envFrom')).flatMap((e) => at(get(e, 'secretRef', 'name'), str) ?? []),
    resources: {
      requests: {},
      limits: {},
      present: res?.kind === 'map',
    },
    probes: {},
    lifecycle: {},
    volumeMounts: items(get(node, 'volumeMounts')).flatMap((v) => {
      const name = at(get(v, 'name'), str);
      const mountPath = at(get(v, 'mountPath'), str);
      const readOnly = at(get(v, 'readOnly'), bool);
      return name && mountPath ? [{ name, mountPath, ...(readOnly ? { readOnly } : {}) }] : [];
    }),
  };
  const image = at(get(node, 'image'), str);
  if (image) model.image = image;
  const pull = at(get(node, 'imagePullPolicy'), str);
  if (pull) model.imagePullPolicy = pull;
  const restart = at(get(node, 'restartPolicy'), str);
  if (restart) model.restartPolicy = restart;
  for (const group of ['requests', 'limits'] as const) {
    for (const name of ['cpu', 'memory'] as const) {
      const q = quantity(group, name);
      if (q) model.resources[group][name] = q;
    }
  }
  for (const [key, name] of [
    ['livenessProbe', 'liveness'],
    ['readinessProbe', 'readiness'],
    ['startupProbe', 'startup'],
  ] as const) {
    const p = probe(get(node, key));
    if (p) model.probes[name] = p;
  }
  for (const name of ['postStart', 'preStop'] as const) {
    const p = probe(get(node, 'lifecycle', name));
    if (p) model.lifecycle[name] = p;
  }
  return model;
}

function volume(node: PNode): VolumeModel {
  const type = entries(node).find((e) => e.key !== 'name')?.key ?? 'unknown';
  const hostPath = at(get(node, 'hostPath', 'path'), str);
  return {
    name: str(get(node, 'name')) ?? '',
    span: node.span,
    file: node.file,
    type,
    ...(hostPath ? { hostPath } : {}),
  };
}

/** Builds the workload model of a pod-bearing object; undefined for other kinds. */
export function workloadOf(object: K8sObject): Workload | undefined {
  const path = POD_PATHS[object.kind];
  if (!path) return undefined;
  const template = path.length === 0 ? object.node : get(object.node, ...path);
  if (!template) return undefined;
  const spec = get(template, 'spec');
  if (!spec) return undefined;
  const psc = get(spec, 'securityContext');
  const securityContext: PodSecurityContext = {
    ...common(psc),
    supplementalGroups: items(get(psc, 'supplementalGroups')).flatMap((n) => at(n, num) ?? []),
    sysctls: items(get(psc, 'sysctls')).flatMap((s) => {
      const name = at(get(s, 'name'), str);
      const value = at(get(s, 'value'), str);
      return name ? [{ name, ...(value ? { value } : {}) }] : [];
    }),
  };
  const fsGroup = at(get(psc, 'fsGroup'), num);
  if (fsGroup) securityContext.fsGroup = fsGroup;
  const annotations: Record<string, At<string>> = {};
  // Pod-level annotations (AppArmor, seccomp) live on the pod template's metadata.
  for (const e of entries(get(template, 'metadata', 'annotations'))) {
    const v = at(e.value, str);
    if (v) annotations[e.key] = v;
  }
  const nsEntry = entry(get(object.node, 'metadata'), 'namespace');
  const workload: Workload = {
    source: 'kubernetes',
    file: object.file,
    object: objectRef(object),
    kind: object.kind,
    name: object.name,
    span: object.span,
    labels: stringMap(get(object.node, 'metadata', 'labels')),
    podLabels: stringMap(get(template, 'metadata', 'labels')),
    annotations,
    securityContext,
    volumes: items(get(spec, 'volumes')).map(volume),
    devices: [],
    containers: [
      ...items(get(spec, 'initContainers')).map((c) => container(c, 'initContainer')),
      ...items(get(spec, 'containers')).map((c) => container(c, 'container')),
      ...items(get(spec, 'ephemeralContainers')).map((c) => container(c, 'ephemeralContainer')),
    ],
  };
  if (nsEntry) {
    const ns = at(nsEntry.value, str);
    if (ns) workload.namespace = ns;
  }
  for (const key of [
    'hostNetwork',
    'hostPID',
    'hostIPC',
    'hostUsers',
    'automountServiceAccountToken',
    'shareProcessNamespace',
  ] as const) {
    const v = at(get(spec, key), bool);
    if (v) workload[key] = v;
  }
  const os = at(get(spec, 'os', 'name'), str);
  if (os) workload.os = os;
  const sa = at(get(spec, 'serviceAccountName'), str) ?? at(get(spec, 'serviceAccount'), str);
  if (sa) workload.serviceAccountName = sa;
  const hostAliases = get(spec, 'hostAliases');
  if (hostAliases && items(hostAliases).length > 0)
    workload.hostAliases = { value: true, span: hostAliases.span, file: hostAliases.file };
  return workload;
}
