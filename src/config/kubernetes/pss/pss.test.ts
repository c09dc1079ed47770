import { describe, expect, it } from 'vitest';
import { parseManifests } from '../objects.js';
import { scanKubernetes } from '../scan.js';
import { activeChecks, type PssLevel, parsePssVersion } from './index.js';

/** A pod built from YAML fragments: pod-level spec lines and container-level lines. */
function pod(spec: string, container = '', meta = ''): string {
  const indent = (s: string, n: number) =>
    s
      .split('\n')
      .filter(Boolean)
      .map((l) => ' '.repeat(n) + l)
      .join('\n');
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n${indent(meta, 2)}\nspec:\n${indent(spec, 2)}\n  containers:\n  - name: c\n    image: x\n${indent(container, 4)}\n`;
}

function failing(
  text: string,
  version: string,
  level: PssLevel = 'restricted',
  userNamespaces = false,
): string[] {
  const findings = scanKubernetes(parseManifests('pod.yaml', text), { version, level, userNamespaces });
  return [
    ...new Set(
      findings.filter((f) => f.id.startsWith('CER-PSS')).map((f) => (f.evidence ?? '').split(':')[0] ?? ''),
    ),
  ].sort();
}

const RESTRICTED_OK = `securityContext:\n  runAsNonRoot: true\n  seccompProfile: {type: RuntimeDefault}`;
const CONTAINER_OK = `securityContext:\n  allowPrivilegeEscalation: false\n  capabilities: {drop: [ALL]}`;

/** [check, version, pod spec, container, annotations, fails] */
const cases: [string, string, string, string, string, boolean][] = [
  // hostNamespaces: false and unset pass, true fails.
  ['hostNamespaces', 'v1.0', 'hostNetwork: false', '', '', false],
  ['hostNamespaces', 'v1.0', 'hostIPC: true', '', '', true],
  // privileged
  ['privileged', 'latest', '', 'securityContext: {privileged: false}', '', false],
  ['privileged', 'latest', '', 'securityContext: {privileged: true}', '', true],
  // capabilities_baseline: the last allowed name passes, the first outside fails (baseline level).
  ['capabilities_baseline', 'latest', '', 'securityContext: {capabilities: {add: [SYS_CHROOT]}}', '', false],
  ['capabilities_baseline', 'latest', '', 'securityContext: {capabilities: {add: [NET_RAW]}}', '', true],
  // hostPorts: 0 passes, 1 fails.
  ['hostPorts', 'latest', '', 'ports: [{containerPort: 80, hostPort: 0}]', '', false],
  ['hostPorts', 'latest', '', 'ports: [{containerPort: 80, hostPort: 1}]', '', true],
  // appArmorProfile: localhost/* passes, unconfined fails; field Localhost passes, Unconfined fails.
  [
    'appArmorProfile',
    'latest',
    '',
    '',
    'annotations: {container.apparmor.security.beta.kubernetes.io/c: localhost/x}',
    false,
  ],
  [
    'appArmorProfile',
    'latest',
    '',
    '',
    'annotations: {container.apparmor.security.beta.kubernetes.io/c: unconfined}',
    true,
  ],
  ['appArmorProfile', 'latest', '', 'securityContext: {appArmorProfile: {type: Unconfined}}', '', true],
  // seLinuxOptions: container_engine_t only from v1.31; user/role always forbidden; level allowed.
  ['seLinuxOptions', 'v1.30', 'securityContext: {seLinuxOptions: {type: container_engine_t}}', '', '', true],
  ['seLinuxOptions', 'v1.31', 'securityContext: {seLinuxOptions: {type: container_engine_t}}', '', '', false],
  ['seLinuxOptions', 'latest', 'securityContext: {seLinuxOptions: {level: "s0:c1"}}', '', '', false],
  ['seLinuxOptions', 'latest', '', 'securityContext: {seLinuxOptions: {role: sysadm_r}}', '', true],
  // procMount: Default passes, Unmasked fails.
  ['procMount', 'latest', '', 'securityContext: {procMount: Default}', '', false],
  ['procMount', 'v1.34', '', 'securityContext: {procMount: Unmasked}', '', true],
  // seccompProfile_baseline: annotations before v1.19, fields from v1.19.
  [
    'seccompProfile_baseline',
    'v1.18',
    '',
    '',
    'annotations: {seccomp.security.alpha.kubernetes.io/pod: unconfined}',
    true,
  ],
  [
    'seccompProfile_baseline',
    'v1.19',
    '',
    '',
    'annotations: {seccomp.security.alpha.kubernetes.io/pod: unconfined}',
    false,
  ],
  ['seccompProfile_baseline', 'v1.19', 'securityContext: {seccompProfile: {type: Unconfined}}', '', '', true],
  // sysctls: each version's additions.
  [
    'sysctls',
    'v1.26',
    'securityContext: {sysctls: [{name: net.ipv4.ip_local_reserved_ports, value: "1"}]}',
    '',
    '',
    true,
  ],
  [
    'sysctls',
    'v1.27',
    'securityContext: {sysctls: [{name: net.ipv4.ip_local_reserved_ports, value: "1"}]}',
    '',
    '',
    false,
  ],
  [
    'sysctls',
    'v1.28',
    'securityContext: {sysctls: [{name: net.ipv4.tcp_keepalive_time, value: "1"}]}',
    '',
    '',
    true,
  ],
  [
    'sysctls',
    'v1.29',
    'securityContext: {sysctls: [{name: net.ipv4.tcp_keepalive_time, value: "1"}]}',
    '',
    '',
    false,
  ],
  ['sysctls', 'v1.31', 'securityContext: {sysctls: [{name: net.ipv4.tcp_rmem, value: "1"}]}', '', '', true],
  ['sysctls', 'v1.32', 'securityContext: {sysctls: [{name: net.ipv4.tcp_rmem, value: "1"}]}', '', '', false],
  // hostProbesAndHostLifecycle: from v1.34; empty host allowed.
  [
    'hostProbesAndHostLifecycle',
    'v1.33',
    '',
    'readinessProbe: {tcpSocket: {host: 10.0.0.1, port: 80}}',
    '',
    false,
  ],
  [
    'hostProbesAndHostLifecycle',
    'v1.34',
    '',
    'readinessProbe: {tcpSocket: {host: 10.0.0.1, port: 80}}',
    '',
    true,
  ],
  [
    'hostProbesAndHostLifecycle',
    'v1.34',
    '',
    'lifecycle: {preStop: {httpGet: {host: "", port: 80}}}',
    '',
    false,
  ],
  // windowsHostProcess
  ['windowsHostProcess', 'latest', '', 'securityContext: {windowsOptions: {hostProcess: true}}', '', true],
];

describe('PSS boundary values per control', () => {
  for (const [check, version, spec, container, meta, fails] of cases) {
    it(`${check} @${version}: ${fails ? 'fails' : 'passes'} for ${(spec + container + meta).replace(/\s+/g, ' ')}`, () => {
      const result = failing(pod(spec, container, meta), version, 'baseline');
      if (fails) expect(result).toContain(check);
      else expect(result).not.toContain(check);
    });
  }
});

describe('PSS restricted', () => {
  const ok = pod(RESTRICTED_OK, CONTAINER_OK);
  it('accepts a fully restricted pod at every version', () => {
    for (const v of ['v1.0', 'v1.19', 'v1.22', 'v1.25', 'v1.30', 'latest'])
      expect(failing(ok, v), v).toEqual([]);
  });

  it('runAsUser is checked from v1.23 and 0 is the boundary', () => {
    expect(failing(pod(`${RESTRICTED_OK}\n  runAsUser: 0`, CONTAINER_OK), 'v1.22')).toEqual([]);
    expect(failing(pod(`${RESTRICTED_OK}\n  runAsUser: 0`, CONTAINER_OK), 'v1.23')).toEqual(['runAsUser']);
    expect(failing(pod(`${RESTRICTED_OK}\n  runAsUser: 1`, CONTAINER_OK), 'v1.23')).toEqual([]);
  });

  it('runAsNonRoot: container false overrides pod true', () => {
    const text = pod(RESTRICTED_OK, `${CONTAINER_OK}\n  runAsNonRoot: false`);
    expect(failing(text, 'latest')).toEqual(['runAsNonRoot']);
  });

  it('capabilities_restricted from v1.22 overrides capabilities_baseline', () => {
    const text = pod(
      RESTRICTED_OK,
      'securityContext:\n  allowPrivilegeEscalation: false\n  capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}',
    );
    expect(failing(text, 'v1.22')).toEqual([]);
    const addChown = pod(
      RESTRICTED_OK,
      'securityContext:\n  allowPrivilegeEscalation: false\n  capabilities: {drop: [ALL], add: [CHOWN]}',
    );
    expect(failing(addChown, 'v1.21')).toEqual([]);
    expect(failing(addChown, 'v1.22')).toEqual(['capabilities_restricted']);
  });

  it('exempts Windows pods from the Linux-only checks from v1.25', () => {
    const windows = pod('os: {name: windows}\nsecurityContext: {runAsNonRoot: true}');
    expect(failing(windows, 'v1.24')).toEqual([
      'allowPrivilegeEscalation',
      'capabilities_restricted',
      'seccompProfile_restricted',
    ]);
    expect(failing(windows, 'v1.25')).toEqual([]);
  });

  it('restrictedVolumes allows the listed types only and overrides hostPathVolumes', () => {
    const vol = (v: string) => pod(`${RESTRICTED_OK}\nvolumes:\n- name: v\n  ${v}`, CONTAINER_OK);
    expect(failing(vol('ephemeral: {}'), 'latest')).toEqual([]);
    expect(failing(vol('gitRepo: {repository: x}'), 'latest')).toEqual(['restrictedVolumes']);
    expect(failing(vol('hostPath: {path: /x}'), 'latest')).toEqual(['restrictedVolumes']);
    expect(failing(vol('hostPath: {path: /x}'), 'latest', 'baseline')).toEqual(['hostPathVolumes']);
  });

  it('seccompProfile_restricted: pod-level RuntimeDefault covers containers, Unconfined container fails', () => {
    expect(failing(pod('securityContext: {runAsNonRoot: true}', CONTAINER_OK), 'latest')).toEqual([
      'seccompProfile_restricted',
    ]);
    expect(
      failing(pod(RESTRICTED_OK, `${CONTAINER_OK}\n  seccompProfile: {type: Unconfined}`), 'latest'),
    ).toEqual(['seccompProfile_restricted']);
    expect(
      failing(pod(RESTRICTED_OK, `${CONTAINER_OK}\n  seccompProfile: {type: Unconfined}`), 'v1.18'),
    ).toEqual([]);
  });

  it('user namespaces relax runAsNonRoot, runAsUser and (from v1.35) baseline procMount only when enabled', () => {
    const text = pod(
      'hostUsers: false\nsecurityContext: {runAsUser: 0, seccompProfile: {type: RuntimeDefault}}',
      `${CONTAINER_OK}\n  procMount: Unmasked`,
    );
    expect(failing(text, 'latest', 'restricted', false)).toEqual([
      'procMount_restricted',
      'runAsNonRoot',
      'runAsUser',
    ]);
    expect(failing(text, 'latest', 'restricted', true)).toEqual(['procMount_restricted']);
    expect(failing(text, 'v1.35', 'baseline', true)).toEqual([]);
    expect(failing(text, 'v1.34', 'baseline', true)).toEqual(['procMount']);
  });

  it('covers init and ephemeral containers', () => {
    const text = pod(RESTRICTED_OK, CONTAINER_OK).replace(
      '  containers:',
      '  ephemeralContainers:\n  - name: debug\n    image: x\n    securityContext: {privileged: true}\n  containers:',
    );
    expect(failing(text, 'latest', 'baseline')).toEqual(['privileged']);
  });

  it('parses versions and knows which checks exist when', () => {
    expect(parsePssVersion('v1.29')).toBe(29);
    expect(() => parsePssVersion('1.x')).toThrow(/invalid --pss-version/);
    expect(activeChecks('baseline', 33).map((c) => c.check.id)).not.toContain('hostProbesAndHostLifecycle');
    expect(activeChecks('restricted', 35).map((c) => c.check.id)).not.toContain('procMount');
  });
});
