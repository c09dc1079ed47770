import { bindRules, loadRuleMeta, type Report } from '../../rule.js';
import type { At, ContainerModel, Workload } from '../model.js';

const LONG_RUNNING = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
]);
const RUNTIME_SOCKET =
  /(^|\/)(docker|containerd|crio|cri-dockerd|podman)\.sock$|^\/var\/run\/(docker|containerd|crio)\/?$|^\/run\/(containerd|crio)\/?$/;
const SENSITIVE_PATHS = [
  '/',
  '/etc',
  '/proc',
  '/sys',
  '/dev',
  '/boot',
  '/root',
  '/var/lib/kubelet',
  '/var/lib/docker',
  '/etc/kubernetes',
  '/var/log',
  '/home',
  '/usr',
  '/lib',
  '/bin',
  '/sbin',
];
const SECRET_NAME =
  /(^|_)(PASSWORD|PASSWD|PASS|PWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|SECRET_?KEY|CLIENT_?SECRET|CREDENTIALS?)($|_)/i;
const NOT_SECRET = /(_FILE|_PATH|_DIR|_URL|_HOST|_PORT|_USER|_USERNAME|_NAME|_ID|_LENGTH)$/i;

/** Containers that keep running: not ephemeral debug containers (and init only when it is a sidecar). */
function running(w: Workload): ContainerModel[] {
  return w.containers.filter(
    (c) => c.kind === 'container' || (c.kind === 'initContainer' && c.restartPolicy?.value === 'Always'),
  );
}

function pinned(image: string): boolean {
  return /@sha256:[a-f0-9]{64}$/.test(image);
}

function tagOf(image: string): string | null {
  const noDigest = image.split('@')[0] ?? image;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(colon + 1) : null;
}

function hostPaths(w: Workload): At<string>[] {
  return w.volumes.flatMap((v) => (v.hostPath ? [v.hostPath] : []));
}

function normalizePath(p: string): string {
  const trimmed = p.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

function each(
  w: Workload,
  pick: (w: Workload) => ContainerModel[],
  test: (c: ContainerModel, report: Report) => void,
  report: Report,
): void {
  for (const c of pick(w)) test(c, report);
}

/**
 * The id each container runs with: its own setting, else the pod's. Unset ids (the image decides)
 * and ids up to 10000 are reported, once per container.
 */
function effectiveIds(w: Workload, key: 'runAsUser' | 'runAsGroup', report: Report, label: string): void {
  for (const c of w.containers) {
    if (c.kind === 'ephemeralContainer') continue;
    const id = c.securityContext[key] ?? w.securityContext[key];
    if (id === undefined)
      report({ span: c.span, file: c.file, evidence: `container "${c.name}" has no ${label}` });
    else if (id.value <= 10000) report({ span: id.span, file: id.file, evidence: `${label} ${id.value}` });
  }
}

export const workloadRules = bindRules<Workload>(loadRuleMeta(new URL('./rules.yaml', import.meta.url)), {
  'CER-WL-001': (w, report) =>
    each(
      w,
      running,
      (c, r) => {
        if (c.securityContext.readOnlyRootFilesystem?.value !== true)
          r({
            span: c.securityContext.readOnlyRootFilesystem?.span ?? c.span,
            file: c.file,
            evidence: `container "${c.name}"`,
          });
      },
      report,
    ),
  'CER-WL-002': (w, report) =>
    each(
      w,
      (x) => x.containers.filter((c) => c.kind !== 'ephemeralContainer'),
      (c, r) => {
        if (!c.resources.limits.cpu) r({ span: c.span, file: c.file, evidence: `container "${c.name}"` });
      },
      report,
    ),
  'CER-WL-003': (w, report) =>
    each(
      w,
      (x) => x.containers.filter((c) => c.kind !== 'ephemeralContainer'),
      (c, r) => {
        if (!c.resources.limits.memory) r({ span: c.span, file: c.file, evidence: `container "${c.name}"` });
      },
      report,
    ),
  'CER-WL-004': (w, report) => {
    if (w.source !== 'kubernetes') return;
    each(
      w,
      (x) => x.containers.filter((c) => c.kind !== 'ephemeralContainer'),
      (c, r) => {
        if (!c.resources.requests.cpu) r({ span: c.span, file: c.file, evidence: `container "${c.name}"` });
      },
      report,
    );
  },
  'CER-WL-005': (w, report) => {
    if (w.source !== 'kubernetes') return;
    each(
      w,
      (x) => x.containers.filter((c) => c.kind !== 'ephemeralContainer'),
      (c, r) => {
        if (!c.resources.requests.memory)
          r({ span: c.span, file: c.file, evidence: `container "${c.name}"` });
      },
      report,
    );
  },
  'CER-WL-006': (w, report) => {
    if (w.source !== 'kubernetes' || !LONG_RUNNING.has(w.kind)) return;
    each(
      w,
      running,
      (c, r) => {
        if (!c.probes.liveness) r({ span: c.span, file: c.file, evidence: `container "${c.name}"` });
      },
      report,
    );
  },
  'CER-WL-007': (w, report) => {
    if (w.source !== 'kubernetes' || !LONG_RUNNING.has(w.kind)) return;
    each(
      w,
      (x) => x.containers.filter((c) => c.kind === 'container'),
      (c, r) => {
        if (!c.probes.readiness) r({ span: c.span, file: c.file, evidence: `container "${c.name}"` });
      },
      report,
    );
  },
  'CER-WL-008': (w, report) => {
    for (const c of w.containers) {
      const image = c.image;
      if (!image || image.value.includes('$') || pinned(image.value)) continue;
      const tag = tagOf(image.value);
      if (tag === null || tag === 'latest')
        report({ span: image.span, file: image.file, evidence: image.value });
    }
  },
  'CER-WL-009': (w, report) => {
    for (const c of w.containers) {
      const image = c.image;
      if (image && !image.value.includes('$') && !pinned(image.value))
        report({ span: image.span, file: image.file, evidence: image.value });
    }
  },
  'CER-WL-010': (w, report) => {
    for (const p of hostPaths(w))
      if (RUNTIME_SOCKET.test(normalizePath(p.value)))
        report({ span: p.span, file: p.file, evidence: p.value });
  },
  'CER-WL-011': (w, report) => {
    for (const p of hostPaths(w)) {
      const path = normalizePath(p.value);
      if (SENSITIVE_PATHS.includes(path) || /^\/(proc|sys)\//.test(path))
        report({ span: p.span, file: p.file, evidence: p.value });
    }
  },
  'CER-WL-012': (w, report) => {
    for (const c of w.containers) {
      for (const e of c.env) {
        if (
          e.value &&
          e.value.value !== '' &&
          !e.value.value.includes('$') &&
          SECRET_NAME.test(e.name.value) &&
          !NOT_SECRET.test(e.name.value)
        ) {
          report({ span: e.name.span, file: e.name.file, evidence: e.name.value });
        }
      }
    }
  },
  'CER-WL-013': (w, report) => {
    for (const c of w.containers) {
      for (const e of c.env)
        if (e.valueFrom === 'secretKeyRef')
          report({ span: e.name.span, file: e.name.file, evidence: e.name.value });
      for (const s of c.envFromSecrets)
        report({ span: s.span, file: s.file, evidence: `envFrom secret ${s.value}` });
    }
  },
  'CER-WL-014': (w, report) => {
    if (w.source !== 'kubernetes') return;
    const a = w.automountServiceAccountToken;
    if (a?.value !== false)
      report({
        span: a?.span ?? w.span,
        file: a?.file ?? w.file,
        evidence: a ? 'automountServiceAccountToken: true' : 'automountServiceAccountToken not set',
      });
  },
  'CER-WL-015': (w, report) => effectiveIds(w, 'runAsUser', report, 'runAsUser'),
  'CER-WL-016': (w, report) => effectiveIds(w, 'runAsGroup', report, 'runAsGroup'),
  'CER-WL-017': (w, report) => {
    const sc = w.securityContext;
    const groups = [
      sc.runAsGroup,
      sc.fsGroup,
      ...sc.supplementalGroups,
      ...w.containers.map((c) => c.securityContext.runAsGroup),
    ];
    for (const g of groups) if (g && g.value === 0) report({ span: g.span, file: g.file, evidence: 'GID 0' });
  },
  'CER-WL-018': (w, report) => {
    if (w.hostAliases) report({ span: w.hostAliases.span, file: w.hostAliases.file });
  },
  'CER-WL-019': (w, report) => {
    if (w.shareProcessNamespace?.value)
      report({ span: w.shareProcessNamespace.span, file: w.shareProcessNamespace.file });
  },
  'CER-WL-020': (w, report) => {
    for (const c of w.containers) {
      for (const p of c.ports) {
        if (p.ephemeralHostPort && p.hostIP === undefined) {
          report({
            span: p.ephemeralHostPort.span,
            file: p.ephemeralHostPort.file,
            evidence: `0.0.0.0:<random>->${p.containerPort?.value ?? '?'}`,
          });
        }
        if (!p.hostPort || p.hostPort.value === 0) continue;
        const ip = p.hostIP?.value;
        if (ip === undefined || ip === '' || ip === '0.0.0.0' || ip === '::' || ip === '[::]')
          report({
            span: p.hostPort.span,
            file: p.hostPort.file,
            evidence: `${ip ?? '0.0.0.0'}:${p.hostPort.value}`,
          });
      }
    }
  },
  'CER-WL-021': (w, report) => {
    for (const c of w.containers) {
      for (const p of c.ports)
        if (p.hostPort && p.hostPort.value > 0 && p.hostPort.value < 1024)
          report({ span: p.hostPort.span, file: p.hostPort.file, evidence: `host port ${p.hostPort.value}` });
    }
  },
  'CER-WL-022': (w, report) => {
    if (w.hostUTS?.value) report({ span: w.hostUTS.span, file: w.hostUTS.file });
  },
  'CER-WL-023': (w, report) => {
    for (const d of w.devices) report({ span: d.span, file: d.file, evidence: d.value });
  },
  'CER-WL-024': (w, report) => {
    if (w.source !== 'kubernetes' && (w.pidsLimit === undefined || w.pidsLimit.value <= 0))
      report({ span: w.pidsLimit?.span ?? w.span, file: w.pidsLimit?.file ?? w.file, evidence: w.name });
  },
});
