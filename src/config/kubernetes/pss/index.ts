import { CeranaError } from '../../../common/errors.js';
import type { Span } from '../../position.js';
import { bindRules, loadRuleMeta, type Report, type Rule } from '../../rule.js';
import type { At, Workload } from '../../workload/model.js';

/**
 * Pod Security Standards as pod-security-admission evaluates them: each check has versioned
 * variants (the newest one not newer than the requested version applies), restricted checks
 * override the baseline checks they supersede, and findings name the failing check id.
 */
export type PssLevel = 'baseline' | 'restricted';

/** The newest Kubernetes minor version whose PSS definition is implemented here. */
export const LATEST_PSS_MINOR = 35;

export interface PssOptions {
  /** `v1.N` or `latest` (default). */
  version?: string;
  /** Evaluate up to this level (default restricted, which includes baseline). */
  level?: PssLevel;
  /**
   * Apply the user-namespace relaxations (runAsNonRoot, runAsUser, baseline procMount from v1.35)
   * to pods with `hostUsers: false`, as clusters with UserNamespacesPodSecurityStandards do.
   */
  userNamespaces?: boolean;
}

export interface PssContext {
  w: Workload;
  minor: number;
  level: PssLevel;
  userNamespaces: boolean;
}

export function parsePssVersion(version: string | undefined): number {
  if (version === undefined || version === 'latest') return LATEST_PSS_MINOR;
  const m = /^v?1\.(\d+)$/.exec(version.trim());
  if (!m)
    throw new CeranaError('USAGE', `invalid --pss-version ${JSON.stringify(version)}`, {
      hint: 'use v1.N or latest',
    });
  return Number(m[1]);
}

interface CheckDef {
  id: string;
  rule: string;
  level: PssLevel;
  /** Minimum versions of each variant, oldest first. */
  versions: number[];
  overrides?: { id: string; since: number }[];
}

const CHECKS: CheckDef[] = [
  { id: 'windowsHostProcess', rule: 'CER-PSS-001', level: 'baseline', versions: [0] },
  { id: 'hostNamespaces', rule: 'CER-PSS-002', level: 'baseline', versions: [0] },
  { id: 'privileged', rule: 'CER-PSS-003', level: 'baseline', versions: [0] },
  { id: 'capabilities_baseline', rule: 'CER-PSS-004', level: 'baseline', versions: [0] },
  { id: 'hostPathVolumes', rule: 'CER-PSS-005', level: 'baseline', versions: [0] },
  { id: 'hostPorts', rule: 'CER-PSS-006', level: 'baseline', versions: [0] },
  { id: 'appArmorProfile', rule: 'CER-PSS-007', level: 'baseline', versions: [0] },
  { id: 'seLinuxOptions', rule: 'CER-PSS-008', level: 'baseline', versions: [0, 31] },
  { id: 'procMount', rule: 'CER-PSS-009', level: 'baseline', versions: [0, 35] },
  { id: 'seccompProfile_baseline', rule: 'CER-PSS-010', level: 'baseline', versions: [0, 19] },
  { id: 'sysctls', rule: 'CER-PSS-011', level: 'baseline', versions: [0, 27, 29, 32] },
  { id: 'hostProbesAndHostLifecycle', rule: 'CER-PSS-012', level: 'baseline', versions: [34] },
  {
    id: 'restrictedVolumes',
    rule: 'CER-PSS-013',
    level: 'restricted',
    versions: [0],
    overrides: [{ id: 'hostPathVolumes', since: 0 }],
  },
  { id: 'allowPrivilegeEscalation', rule: 'CER-PSS-014', level: 'restricted', versions: [8, 25] },
  { id: 'runAsNonRoot', rule: 'CER-PSS-015', level: 'restricted', versions: [0] },
  { id: 'runAsUser', rule: 'CER-PSS-016', level: 'restricted', versions: [23] },
  {
    id: 'seccompProfile_restricted',
    rule: 'CER-PSS-017',
    level: 'restricted',
    versions: [19, 25],
    overrides: [{ id: 'seccompProfile_baseline', since: 19 }],
  },
  {
    id: 'capabilities_restricted',
    rule: 'CER-PSS-018',
    level: 'restricted',
    versions: [22, 25],
    overrides: [{ id: 'capabilities_baseline', since: 22 }],
  },
  {
    id: 'procMount_restricted',
    rule: 'CER-PSS-019',
    level: 'restricted',
    versions: [35],
    overrides: [{ id: 'procMount', since: 35 }],
  },
];

const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
const RESTRICTED_VOLUMES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
const SYSCTLS: [number, string[]][] = [
  [
    0,
    [
      'kernel.shm_rmid_forced',
      'net.ipv4.ip_local_port_range',
      'net.ipv4.tcp_syncookies',
      'net.ipv4.ping_group_range',
      'net.ipv4.ip_unprivileged_port_start',
    ],
  ],
  [27, ['net.ipv4.ip_local_reserved_ports']],
  [
    29,
    [
      'net.ipv4.tcp_keepalive_time',
      'net.ipv4.tcp_fin_timeout',
      'net.ipv4.tcp_keepalive_intvl',
      'net.ipv4.tcp_keepalive_probes',
    ],
  ],
  [32, ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']],
];
const SELINUX_TYPES: [number, string[]][] = [
  [0, ['', 'container_t', 'container_init_t', 'container_kvm_t']],
  [31, ['container_engine_t']],
];

/** The variant (its minimum version) that applies at `minor`, or undefined when the check is newer. */
function variant(check: CheckDef, minor: number): number | undefined {
  return check.versions.filter((v) => v <= minor).pop();
}

/** The checks PSA runs for a level and version, after restricted checks override baseline ones. */
export function activeChecks(level: PssLevel, minor: number): { check: CheckDef; variant: number }[] {
  const wanted = CHECKS.filter((c) => level === 'restricted' || c.level === 'baseline');
  const active = wanted.flatMap((check) => {
    const v = variant(check, minor);
    return v === undefined ? [] : [{ check, variant: v }];
  });
  const overridden = new Set(
    active.flatMap(({ check }) => (check.overrides ?? []).filter((o) => o.since <= minor).map((o) => o.id)),
  );
  return active.filter(({ check }) => !overridden.has(check.id));
}

function relaxed(ctx: PssContext): boolean {
  return ctx.userNamespaces && ctx.w.hostUsers?.value === false;
}

function windows(ctx: PssContext): boolean {
  return ctx.w.os?.value === 'windows';
}

type Emit = (at: { span: Span; file: string }, detail: string) => void;

/** One evaluator per PSA check id; `variant` is the minimum version of the applicable variant. */
const EVALUATORS: Record<string, (ctx: PssContext, variant: number, emit: Emit) => void> = {
  windowsHostProcess: ({ w }, _v, emit) => {
    if (w.securityContext.windowsHostProcess?.value)
      emit(
        w.securityContext.windowsHostProcess,
        'pod must not set securityContext.windowsOptions.hostProcess=true',
      );
    for (const c of w.containers) {
      const hp = c.securityContext.windowsHostProcess;
      if (hp?.value)
        emit(hp, `container "${c.name}" must not set securityContext.windowsOptions.hostProcess=true`);
    }
  },
  hostNamespaces: ({ w }, _v, emit) => {
    for (const key of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
      const v = w[key];
      if (v?.value) emit(v, `${key}=true`);
    }
  },
  privileged: ({ w }, _v, emit) => {
    for (const c of w.containers) {
      const p = c.securityContext.privileged;
      if (p?.value) emit(p, `container "${c.name}" must not set securityContext.privileged=true`);
    }
  },
  capabilities_baseline: ({ w }, _v, emit) => {
    for (const c of w.containers) {
      for (const cap of c.securityContext.capabilities.add) {
        if (!BASELINE_CAPABILITIES.has(cap.value))
          emit(
            cap,
            `container "${c.name}" must not include "${cap.value}" in securityContext.capabilities.add`,
          );
      }
    }
  },
  hostPathVolumes: ({ w }, _v, emit) => {
    for (const v of w.volumes) if (v.type === 'hostPath') emit(v, `hostPath volume "${v.name}"`);
  },
  hostPorts: ({ w }, _v, emit) => {
    for (const c of w.containers) {
      for (const p of c.ports)
        if (p.hostPort && p.hostPort.value !== 0)
          emit(p.hostPort, `container "${c.name}" uses hostPort ${p.hostPort.value}`);
    }
  },
  appArmorProfile: ({ w }, _v, emit) => {
    for (const [key, value] of Object.entries(w.annotations)) {
      if (!key.startsWith('container.apparmor.security.beta.kubernetes.io/')) continue;
      const v = value.value;
      if (v !== '' && v !== 'runtime/default' && !v.startsWith('localhost/'))
        emit(value, `annotation ${key}="${v}"`);
    }
    const bad = (t: At<string> | undefined): boolean =>
      t !== undefined && t.value !== 'RuntimeDefault' && t.value !== 'Localhost';
    if (bad(w.securityContext.appArmorProfile?.type)) {
      const t = w.securityContext.appArmorProfile?.type as At<string>;
      emit(t, `pod must not set securityContext.appArmorProfile.type to "${t.value}"`);
    }
    for (const c of w.containers) {
      const t = c.securityContext.appArmorProfile?.type;
      if (t && bad(t))
        emit(t, `container "${c.name}" must not set securityContext.appArmorProfile.type to "${t.value}"`);
    }
  },
  seLinuxOptions: ({ w }, variant, emit) => {
    const types = new Set(SELINUX_TYPES.filter(([v]) => v <= variant).flatMap(([, t]) => t));
    const check = (who: string, o: Workload['securityContext']['seLinuxOptions']): void => {
      if (!o) return;
      if (o.type && !types.has(o.type.value))
        emit(o.type, `${who} must not set securityContext.seLinuxOptions.type to "${o.type.value}"`);
      if (o.user && o.user.value !== '')
        emit(o.user, `${who} must not set securityContext.seLinuxOptions.user`);
      if (o.role && o.role.value !== '')
        emit(o.role, `${who} must not set securityContext.seLinuxOptions.role`);
    };
    check('pod', w.securityContext.seLinuxOptions);
    for (const c of w.containers) check(`container "${c.name}"`, c.securityContext.seLinuxOptions);
  },
  procMount: (ctx, variant, emit) => {
    if (variant >= 35 && relaxed(ctx)) return;
    procMountAlways(ctx, emit);
  },
  procMount_restricted: (ctx, _v, emit) => procMountAlways(ctx, emit),
  seccompProfile_baseline: ({ w }, variant, emit) => {
    if (variant < 19) {
      for (const [key, value] of Object.entries(w.annotations)) {
        const isSeccomp =
          key === 'seccomp.security.alpha.kubernetes.io/pod' ||
          key.startsWith('container.seccomp.security.alpha.kubernetes.io/');
        if (isSeccomp && value.value === 'unconfined') emit(value, `annotation ${key}="unconfined"`);
      }
      return;
    }
    const t = w.securityContext.seccompProfile?.type;
    if (t?.value === 'Unconfined')
      emit(t, 'pod must not set securityContext.seccompProfile.type to "Unconfined"');
    for (const c of w.containers) {
      const ct = c.securityContext.seccompProfile?.type;
      if (ct?.value === 'Unconfined')
        emit(ct, `container "${c.name}" must not set securityContext.seccompProfile.type to "Unconfined"`);
    }
  },
  sysctls: ({ w }, variant, emit) => {
    const allowed = new Set(SYSCTLS.filter(([v]) => v <= variant).flatMap(([, s]) => s));
    for (const s of w.securityContext.sysctls)
      if (!allowed.has(s.name.value)) emit(s.name, `forbidden sysctl ${s.name.value}`);
  },
  hostProbesAndHostLifecycle: ({ w }, _v, emit) => {
    for (const c of w.containers) {
      const handlers = [
        c.probes.liveness,
        c.probes.readiness,
        c.probes.startup,
        c.lifecycle.postStart,
        c.lifecycle.preStop,
      ];
      for (const h of handlers)
        if (h?.host && h.host.value !== '')
          emit(h.host, `container "${c.name}" uses probe or lifecycle host "${h.host.value}"`);
    }
  },
  restrictedVolumes: ({ w }, _v, emit) => {
    for (const v of w.volumes)
      if (!RESTRICTED_VOLUMES.has(v.type))
        emit(v, `volume "${v.name}" uses restricted volume type "${v.type}"`);
  },
  allowPrivilegeEscalation: (ctx, variant, emit) => {
    if (variant >= 25 && windows(ctx)) return;
    for (const c of ctx.w.containers) {
      const ape = c.securityContext.allowPrivilegeEscalation;
      if (ape?.value !== false)
        emit(ape ?? c, `container "${c.name}" must set securityContext.allowPrivilegeEscalation=false`);
    }
  },
  runAsNonRoot: (ctx, _v, emit) => {
    if (relaxed(ctx)) return;
    const pod = ctx.w.securityContext.runAsNonRoot;
    if (pod?.value === false) emit(pod, 'pod must not set securityContext.runAsNonRoot=false');
    for (const c of ctx.w.containers) {
      const own = c.securityContext.runAsNonRoot;
      if (own?.value === false)
        emit(own, `container "${c.name}" must not set securityContext.runAsNonRoot=false`);
      else if (own === undefined && pod?.value !== true)
        emit(c, `pod or container "${c.name}" must set securityContext.runAsNonRoot=true`);
    }
  },
  runAsUser: (ctx, _v, emit) => {
    if (relaxed(ctx)) return;
    const pod = ctx.w.securityContext.runAsUser;
    if (pod?.value === 0) emit(pod, 'pod must not set runAsUser=0');
    for (const c of ctx.w.containers) {
      const u = c.securityContext.runAsUser;
      if (u?.value === 0) emit(u, `container "${c.name}" must not set runAsUser=0`);
    }
  },
  seccompProfile_restricted: (ctx, variant, emit) => {
    if (variant >= 25 && windows(ctx)) return;
    const valid = (t: At<string> | undefined): boolean =>
      t?.value === 'RuntimeDefault' || t?.value === 'Localhost';
    const pod = ctx.w.securityContext.seccompProfile?.type;
    if (pod && !valid(pod))
      emit(pod, `pod must not set securityContext.seccompProfile.type to "${pod.value}"`);
    for (const c of ctx.w.containers) {
      const t = c.securityContext.seccompProfile?.type;
      if (t && !valid(t))
        emit(t, `container "${c.name}" must not set securityContext.seccompProfile.type to "${t.value}"`);
      else if (!t && !valid(pod))
        emit(
          c,
          `pod or container "${c.name}" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
        );
    }
  },
  capabilities_restricted: (ctx, variant, emit) => {
    if (variant >= 25 && windows(ctx)) return;
    for (const c of ctx.w.containers) {
      const caps = c.securityContext.capabilities;
      if (!caps.drop.some((d) => d.value === 'ALL'))
        emit(caps.drop[0] ?? c, `container "${c.name}" must set securityContext.capabilities.drop=["ALL"]`);
      for (const a of caps.add) {
        if (a.value !== 'NET_BIND_SERVICE')
          emit(a, `container "${c.name}" must not include "${a.value}" in securityContext.capabilities.add`);
      }
    }
  },
};

function procMountAlways({ w }: PssContext, emit: Emit): void {
  for (const c of w.containers) {
    const p = c.securityContext.procMount;
    if (p && p.value !== 'Default')
      emit(p, `container "${c.name}" must not set securityContext.procMount to "${p.value}"`);
  }
}

const metas = loadRuleMeta(new URL('./rules.yaml', import.meta.url));

export const pssRules: readonly Rule<PssContext>[] = bindRules<PssContext>(
  metas,
  Object.fromEntries(
    CHECKS.map((check) => [
      check.rule,
      (ctx: PssContext, report: Report) => {
        const active = activeChecks(ctx.level, ctx.minor).find((a) => a.check.id === check.id);
        const evaluate = EVALUATORS[check.id];
        if (!active || !evaluate) return;
        const control = `PSS ${check.level}@v1.${ctx.minor} ${check.id}`;
        evaluate(ctx, active.variant, (at, detail) =>
          report({ span: at.span, file: at.file, evidence: `${check.id}: ${detail}`, controls: [control] }),
        );
      },
    ]),
  ),
);

export function pssCheckLevel(ruleId: string): PssLevel | undefined {
  return CHECKS.find((c) => c.rule === ruleId)?.level;
}

/** Checks in the PSA registry whose evaluator is missing would be a programming error. */
for (const c of CHECKS)
  if (!EVALUATORS[c.id]) throw new CeranaError('INTERNAL', `PSS check ${c.id} has no evaluator`);
