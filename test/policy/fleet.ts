import type { Finding } from '../../src/policy/finding.js';
import type { ScanDocument } from '../../src/policy/scan-document.js';
import { secret, vuln } from './scan-fixture.js';

/** Deterministic pseudo-random numbers (LCG) so a fleet is the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const digest = (text: string) => `sha256:${Buffer.from(text).toString('hex').padEnd(64, '0').slice(0, 64)}`;

interface BaseSpec {
  name: string;
  share: number;
  layers: { createdBy: string; diffId: string }[];
  /** Vulnerabilities in the base's packages: [id, severity, package, version, fixed?, layer index]. */
  vulns: [string, Finding['severity'], string, string, string | undefined, number][];
}

const BASES: BaseSpec[] = [
  {
    name: 'docker.io/library/debian:12',
    share: 0.6,
    layers: [
      { createdBy: '/bin/sh -c #(nop) ADD file:4b1b in / ', diffId: digest('debian-rootfs') },
      { createdBy: 'RUN apt-get update && apt-get install -y ca-certificates', diffId: digest('debian-ca') },
    ],
    vulns: [
      ['CVE-2023-4911', 'HIGH', 'libc6', '2.36-9', '2.36-9+deb12u3', 0],
      ['CVE-2024-2511', 'MEDIUM', 'openssl', '3.0.11-1', '3.0.13-1', 0],
      ['CVE-2024-0727', 'MEDIUM', 'openssl', '3.0.11-1', '3.0.13-1', 0],
      ['CVE-2023-45853', 'CRITICAL', 'zlib1g', '1:1.2.13', undefined, 0],
      ['CVE-2024-26461', 'MEDIUM', 'libkrb5-3', '1.20.1-2', '1.20.1-2+deb12u2', 1],
    ],
  },
  {
    name: 'docker.io/library/alpine:3.19',
    share: 0.25,
    layers: [{ createdBy: 'ADD file:9a8c in / ', diffId: digest('alpine-rootfs') }],
    vulns: [['CVE-2023-42366', 'MEDIUM', 'busybox', '1.36.1-r15', '1.36.1-r16', 0]],
  },
  {
    name: 'registry.access.redhat.com/ubi9:9.3',
    share: 0.15,
    layers: [{ createdBy: 'ADD file:ubi in / ', diffId: digest('ubi-rootfs') }],
    vulns: [['CVE-2024-0553', 'HIGH', 'gnutls', '3.7.6-23.el9', '3.7.6-23.el9_3.3', 0]],
  },
];

const APP_VULNS: [string, Finding['severity'], string, string, string][] = [
  ['CVE-2021-23337', 'HIGH', 'lodash', '4.17.20', '4.17.21'],
  ['CVE-2022-24999', 'HIGH', 'qs', '6.9.6', '6.9.7'],
  ['CVE-2024-29041', 'MEDIUM', 'express', '4.18.2', '4.19.2'],
  ['CVE-2023-26136', 'MEDIUM', 'tough-cookie', '4.1.2', '4.1.3'],
];

export interface FleetOptions {
  size: number;
  seed?: number;
  /** Put this critical, known-exploited app vulnerability in every image (an upgrade that must win). */
  everywhere?: [string, string, string, string];
  /** Extra low/medium findings per image in the app layer, for realistic volumes (benchmarks). */
  extra?: number;
}

/** A fleet of scan results sharing a few base images, with app layers of their own. */
export function syntheticFleet(options: FleetOptions): ScanDocument[] {
  const next = random(options.seed ?? 42);
  const fleet: ScanDocument[] = [];
  for (let i = 0; i < options.size; i++) {
    const roll = next();
    let base = BASES[BASES.length - 1] as BaseSpec;
    let cumulative = 0;
    for (const candidate of BASES) {
      cumulative += candidate.share;
      if (roll < cumulative) {
        base = candidate;
        break;
      }
    }
    const app = [
      { createdBy: 'COPY . /app # buildkit', diffId: digest(`app-${i}-src`) },
      { createdBy: 'RUN npm ci --omit=dev # buildkit', diffId: digest(`app-${i}-deps`) },
    ];
    const layers = [...base.layers, ...app];
    const vulns: Finding[] = base.vulns.map(([id, severity, pkg, version, fixed, layer]) =>
      vuln(id, severity, pkg, version, {
        ...(fixed ? { fixed } : {}),
        layer: base.layers[layer]?.diffId ?? '',
      }),
    );
    for (const [id, severity, pkg, version, fixed] of APP_VULNS) {
      if (next() < 0.3)
        vulns.push(vuln(id, severity, pkg, version, { fixed, type: 'npm', layer: app[1]?.diffId ?? '' }));
    }
    if (options.everywhere) {
      const [id, pkg, version, fixed] = options.everywhere;
      vulns.push(
        vuln(id, 'CRITICAL', pkg, version, { fixed, type: 'npm', cvss: 10, layer: app[1]?.diffId ?? '' }),
      );
    }
    for (let n = 0; n < (options.extra ?? 0); n++) {
      const k = Math.floor(next() * 500);
      const fixed = k % 2 === 0 ? { fixed: `1.${k}.1` } : {};
      vulns.push(
        vuln(`CVE-2025-${10000 + k}`, k % 5 === 0 ? 'MEDIUM' : 'LOW', `lib${k}`, `1.${k}.0`, {
          ...fixed,
          layer: app[1]?.diffId ?? '',
        }),
      );
    }
    const labels: Record<string, string> = { 'org.opencontainers.image.base.name': base.name };
    if (next() < 0.2) labels['cerana.io/exposure'] = 'internet';
    if (next() < 0.1) labels['cerana.io/criticality'] = 'high';
    const findings = next() < 0.01 ? [secret('aws-access-key', '/app/.env')] : [];
    fleet.push({
      artifact: {
        ref: `registry.example/team${i % 40}/svc${i}:1.${i % 7}`,
        digest: digest(`image-${i}`),
        os: { family: 'debian', version: '12' },
      },
      config: { user: next() < 0.3 ? '' : 'app', labels },
      layers: layers.map((l, index) => ({ index, ...l })),
      packages: [],
      vulnerabilities: { findings: vulns },
      findings,
    });
  }
  return fleet;
}
