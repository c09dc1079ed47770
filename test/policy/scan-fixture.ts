import type { Finding, Severity } from '../../src/policy/finding.js';
import type { ScanDocument } from '../../src/policy/scan-document.js';

/** A vulnerability finding as the matcher writes it (with the fields the policy layer reads). */
export function vuln(
  id: string,
  severity: Severity,
  pkg: string,
  version: string,
  options: { fixed?: string; cvss?: number; layer?: string; aliases?: string[]; type?: string } = {},
): Finding {
  const finding: Finding & { vulnerability: unknown } = {
    kind: 'vulnerability',
    id,
    aliases: options.aliases ?? [],
    severity,
    title: `${id} in ${pkg}`,
    location: { path: `/var/lib/dpkg/status`, ...(options.layer ? { layer: options.layer } : {}) },
    package: { type: options.type ?? 'deb', name: pkg, version },
    controls: [],
    references: [],
    vulnerability: {
      status: options.fixed ? 'fixed' : 'unfixed',
      installedVersion: version,
      fixedVersions: options.fixed ? [options.fixed] : [],
      severities:
        options.cvss === undefined ? [] : [{ type: 'CVSS_V3', score: options.cvss, rating: severity }],
      locations: options.layer ? [{ path: '/var/lib/dpkg/status', layer: options.layer }] : [],
    },
  };
  if (options.fixed) finding.fixedIn = [options.fixed];
  return finding;
}

export function secret(id: string, path: string): Finding {
  return {
    kind: 'secret',
    id,
    aliases: [],
    severity: 'HIGH',
    title: 'secret',
    location: { path, line: 3 },
    controls: [],
    references: [],
  };
}

export function malware(id: string, path: string): Finding {
  return {
    kind: 'malware',
    id,
    aliases: [],
    severity: 'CRITICAL',
    title: 'malware',
    location: { path },
    controls: [],
    references: [],
  };
}

export function scan(options: {
  ref?: string;
  user?: string;
  labels?: Record<string, string>;
  vulns?: Finding[];
  findings?: Finding[];
  layers?: { diffId: string; createdBy: string }[];
}): ScanDocument {
  return {
    artifact: {
      ref: options.ref ?? 'registry.example/app/web:1.0',
      digest: `sha256:${'a'.repeat(64)}`,
      os: { family: 'debian', version: '12', eol: false },
    },
    config: { user: options.user ?? 'app', labels: options.labels ?? {} },
    layers: (options.layers ?? []).map((l, index) => ({ index, ...l })),
    packages: [
      { type: 'deb', name: 'openssl', version: '3.0.11-1', purl: 'pkg:deb/debian/openssl@3.0.11-1' },
    ],
    vulnerabilities: { findings: options.vulns ?? [] },
    findings: options.findings ?? [],
  };
}
