import type { Span } from '../position.js';

/**
 * The normalized workload: what runs (image), how (process and security settings) and with which
 * access to the host — the same shape whether it came from a Kubernetes object, a Compose service
 * or `docker inspect`. Fields follow the Kubernetes pod spec, the richest of the three; every set
 * value keeps the file and span it was read from, unset values are `undefined`.
 */
export interface At<T> {
  value: T;
  span: Span;
  file: string;
}

export type WorkloadSource = 'kubernetes' | 'compose' | 'docker';

export interface SeccompProfile {
  type: At<string>;
  localhostProfile?: At<string>;
}

export interface SELinuxOptions {
  type?: At<string>;
  user?: At<string>;
  role?: At<string>;
  level?: At<string>;
}

export interface CommonSecurityContext {
  runAsUser?: At<number>;
  runAsGroup?: At<number>;
  runAsNonRoot?: At<boolean>;
  seccompProfile?: SeccompProfile;
  appArmorProfile?: { type: At<string>; localhostProfile?: At<string> };
  seLinuxOptions?: SELinuxOptions;
  windowsHostProcess?: At<boolean>;
}

export interface PodSecurityContext extends CommonSecurityContext {
  fsGroup?: At<number>;
  supplementalGroups: At<number>[];
  sysctls: { name: At<string>; value?: At<string> }[];
}

export interface ContainerSecurityContext extends CommonSecurityContext {
  privileged?: At<boolean>;
  allowPrivilegeEscalation?: At<boolean>;
  readOnlyRootFilesystem?: At<boolean>;
  procMount?: At<string>;
  capabilities: { add: At<string>[]; drop: At<string>[] };
  /** Whether a securityContext was written at all (some tools require one). */
  present: boolean;
}

export interface ProbeModel {
  span: Span;
  file: string;
  handler: 'exec' | 'httpGet' | 'tcpSocket' | 'grpc' | 'sleep' | 'none';
  host?: At<string>;
}

export interface ContainerPort {
  containerPort?: At<number>;
  hostPort?: At<number>;
  hostIP?: At<string>;
  protocol?: At<string>;
  /** Published on a random host port (Compose `ports: ["80"]`, `docker run -P`): reachable, but not a fixed hostPort. */
  ephemeralHostPort?: At<boolean>;
}

export interface EnvVar {
  name: At<string>;
  /** Literal value; undefined when it comes from a reference. */
  value?: At<string>;
  /** `secretKeyRef` / `configMapKeyRef` / `fieldRef` ... */
  valueFrom?: string;
}

export interface ContainerModel {
  kind: 'container' | 'initContainer' | 'ephemeralContainer';
  name: string;
  span: Span;
  file: string;
  image?: At<string>;
  imagePullPolicy?: At<string>;
  securityContext: ContainerSecurityContext;
  ports: ContainerPort[];
  env: EnvVar[];
  /** `envFrom` secret references. */
  envFromSecrets: At<string>[];
  resources: {
    requests: { cpu?: At<string>; memory?: At<string> };
    limits: { cpu?: At<string>; memory?: At<string> };
    /** Whether a `resources` block exists at all. */
    present: boolean;
  };
  probes: { liveness?: ProbeModel; readiness?: ProbeModel; startup?: ProbeModel };
  lifecycle: { postStart?: ProbeModel; preStop?: ProbeModel };
  volumeMounts: { name: At<string>; mountPath: At<string>; readOnly?: At<boolean> }[];
  /** Restart policy of a sidecar init container (`Always`). */
  restartPolicy?: At<string>;
}

export interface VolumeModel {
  name: string;
  span: Span;
  file: string;
  /** The volume source key: `hostPath`, `emptyDir`, `configMap`, `nfs`... */
  type: string;
  hostPath?: At<string>;
}

export interface Workload {
  source: WorkloadSource;
  file: string;
  /** `Deployment/prod/web`, `service web`, `container web`. */
  object: string;
  kind: string;
  name: string;
  namespace?: At<string>;
  span: Span;
  labels: Record<string, string>;
  /** Pod template labels (what Services and NetworkPolicies select). */
  podLabels: Record<string, string>;
  annotations: Record<string, At<string>>;
  hostNetwork?: At<boolean>;
  hostPID?: At<boolean>;
  hostIPC?: At<boolean>;
  hostUsers?: At<boolean>;
  os?: At<string>;
  serviceAccountName?: At<string>;
  automountServiceAccountToken?: At<boolean>;
  securityContext: PodSecurityContext;
  volumes: VolumeModel[];
  containers: ContainerModel[];
  hostAliases?: At<unknown>;
  shareProcessNamespace?: At<boolean>;
  /** Docker-only settings with no pod-spec equivalent. */
  hostUTS?: At<boolean>;
  devices: At<string>[];
  pidsLimit?: At<number>;
  /** Docker healthcheck or Kubernetes probes decide liveness; Compose `healthcheck.disable` is explicit. */
  healthcheckDisabled?: At<boolean>;
}
