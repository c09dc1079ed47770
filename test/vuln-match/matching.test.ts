import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VulnDatabase } from '../../src/vuln/db/index.js';
import { matchPackages } from '../../src/vuln/match/index.js';
import type { OsvRecord } from '../../src/vuln/osv/types.js';
import { databaseOf } from './support/db.js';
import { os, pkg } from './support/packages.js';

/**
 * OSV matching semantics on hand-written records, one edge case each, through the real importer
 * and database: what the spec says about events, explicit versions, ecosystems and aliases.
 */
const CVSS_CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const CVSS_MEDIUM = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N';

const RECORDS: Partial<OsvRecord>[] = [
  {
    id: 'GHSA-last-affected',
    aliases: ['CVE-2024-0001'],
    affected: [
      {
        package: { ecosystem: 'npm', name: 'last-affected' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { last_affected: '1.2.0' }] }],
      },
    ],
  },
  {
    id: 'GHSA-limit',
    affected: [
      {
        package: { ecosystem: 'npm', name: 'limited' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }, { limit: '1.5.0' }] }],
      },
    ],
  },
  {
    id: 'PYSEC-several',
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'several' },
        ranges: [
          { type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { fixed: '1.5' }] },
          { type: 'ECOSYSTEM', events: [{ introduced: '2.0' }, { fixed: '2.3' }, { introduced: '3.0' }] },
          {
            type: 'GIT',
            repo: 'https://example.org/several.git',
            events: [{ introduced: '0' }, { fixed: 'abc123' }],
          },
        ],
      },
    ],
  },
  {
    id: 'PYSEC-explicit',
    affected: [{ package: { ecosystem: 'PyPI', name: 'Explicit_Pkg' }, versions: ['0.9', '1.0.0'] }],
  },
  {
    id: 'GHSA-prerelease',
    affected: [
      {
        package: { ecosystem: 'npm', name: 'pre' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }],
      },
      {
        package: { ecosystem: 'PyPI', name: 'pre' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }],
      },
    ],
  },
  {
    id: 'GHSA-withdrawn',
    withdrawn: '2024-02-01T00:00:00Z',
    affected: [
      {
        package: { ecosystem: 'npm', name: 'pre' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }],
      },
    ],
  },
  // The same flaw from three databases, plus an unrelated one for the same package.
  {
    id: 'GHSA-aaaa-bbbb-cccc',
    aliases: ['CVE-2023-1111'],
    summary: 'Request smuggling in merged',
    severity: [{ type: 'CVSS_V3', score: CVSS_MEDIUM }],
    database_specific: { severity: 'MODERATE' },
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'merged' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.4' }] }],
      },
    ],
  },
  {
    id: 'PYSEC-2023-11',
    aliases: ['GHSA-aaaa-bbbb-cccc', 'CVE-2023-1111'],
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'merged' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.3.2' }] }],
      },
    ],
  },
  {
    id: 'OSV-2023-11',
    aliases: ['PYSEC-2023-11'],
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'merged' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { fixed: '1.3.2' }] }],
      },
    ],
  },
  {
    id: 'GHSA-dddd-eeee-ffff',
    aliases: ['CVE-2023-2222'],
    severity: [{ type: 'CVSS_V3', score: CVSS_CRITICAL }],
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'merged' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
      },
    ],
  },
  // Debian: keyed by source package; epochs and `~`.
  {
    id: 'DEBIAN-CVE-2023-3333',
    upstream: ['CVE-2023-3333'],
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: 'openssl' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }] }],
      },
    ],
  },
  {
    id: 'DEBIAN-CVE-2023-4444',
    upstream: ['CVE-2023-4444'],
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: 'epochal' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:2.0-1' }] }],
      },
    ],
  },
  {
    id: 'UBUNTU-CVE-2023-5555',
    upstream: ['CVE-2023-5555'],
    severity: [{ type: 'Ubuntu', score: 'high' }],
    affected: [
      {
        package: { ecosystem: 'Ubuntu:22.04:LTS', name: 'curl' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '7.81.0-1ubuntu1.14' }] }],
      },
    ],
  },
  {
    id: 'ALPINE-CVE-2023-6666',
    affected: [
      {
        package: { ecosystem: 'Alpine:v3.19', name: 'busybox' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.36.1-r16' }] }],
      },
    ],
  },
  {
    id: 'GO-2023-7777',
    aliases: ['CVE-2023-7777'],
    affected: [
      {
        package: { ecosystem: 'Go', name: 'stdlib' },
        ranges: [
          {
            type: 'SEMVER',
            events: [
              { introduced: '0' },
              { fixed: '1.20.5' },
              { introduced: '1.21.0-0' },
              { fixed: '1.21.1' },
            ],
          },
        ],
      },
    ],
  },
  {
    id: 'GHSA-bad-boundary',
    affected: [
      {
        package: { ecosystem: 'npm', name: 'badly-written' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '7.2.4, 6.11.4' }] }],
      },
    ],
  },
];

let db: VulnDatabase;

beforeAll(async () => {
  db = (await databaseOf(RECORDS)).db;
});
afterAll(() => db?.close());

function ids(
  packages: Parameters<typeof matchPackages>[1],
  options: Parameters<typeof matchPackages>[2] = {},
) {
  return matchPackages(db, packages, options).findings.map(
    (f) => `${f.package?.name}@${f.package?.version} ${f.id}`,
  );
}

describe('OSV range semantics', () => {
  it('last_affected: the named version is affected, the next is not, and there is no fix', () => {
    const result = matchPackages(db, [
      pkg('npm', 'last-affected', '1.2.0'),
      pkg('npm', 'last-affected', '1.2.1'),
    ]);
    expect(result.findings.map((f) => f.package?.version)).toEqual(['1.2.0']);
    expect(result.findings[0]?.vulnerability).toMatchObject({ status: 'unfixed', fixedVersions: [] });
    expect(result.findings[0]?.vulnerability.advisories[0]?.reason).toContain('<= last_affected 1.2.0');
  });

  it('limit: versions at or above the limit are outside the range', () => {
    expect(
      ids([pkg('npm', 'limited', '1.4.9'), pkg('npm', 'limited', '1.5.0'), pkg('npm', 'limited', '1.9.0')]),
    ).toEqual(['limited@1.4.9 GHSA-limit']);
  });

  it('several ranges, introduced 0, a re-opened range, and GIT ranges ignored with a note', () => {
    const result = matchPackages(
      db,
      ['0.9', '1.0', '1.4.9', '1.5', '1.7', '2.1', '2.3', '3.2'].map((v) => pkg('pypi', 'several', v)),
    );
    expect(result.findings.map((f) => `${f.package?.version}:${f.fixedIn?.join('|')}`)).toEqual([
      '1.0:1.5',
      '1.4.9:1.5',
      '2.1:2.3',
      '3.2:',
    ]);
    expect(result.findings[0]?.vulnerability.advisories[0]?.notes[0]).toMatch(/GIT range 2 .* skipped/);
  });

  it('explicit versions, with PyPI name normalization (Explicit_Pkg = explicit-pkg)', () => {
    expect(ids([pkg('pypi', 'explicit-pkg', '1.0'), pkg('pypi', 'explicit.pkg', '1.0.1')])).toEqual([
      'explicit-pkg@1.0 PYSEC-explicit',
    ]);
  });

  it('pre-releases sort before their release (npm and PEP 440); post-releases after', () => {
    expect(
      ids([
        pkg('npm', 'pre', '2.0.0-rc.1'),
        pkg('npm', 'pre', '2.0.0'),
        pkg('pypi', 'pre', '2.0rc1'),
        pkg('pypi', 'pre', '2.0.post1'),
      ]),
    ).toEqual(['pre@2.0.0-rc.1 GHSA-prerelease', 'pre@2.0rc1 GHSA-prerelease']);
  });

  it('withdrawn advisories never match', () => {
    expect(ids([pkg('npm', 'pre', '3.0.0')])).toEqual([]);
  });

  it('an undecidable boundary is a warning naming the advisory, never a silent finding or silence', () => {
    const result = matchPackages(db, [pkg('npm', 'badly-written', '7.0.0')]);
    expect(result.findings).toEqual([]);
    expect(result.stats.unknown).toBe(1);
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /badly-written@7\.0\.0: GHSA-bad-boundary could not be evaluated: .*"7\.2\.4, 6\.11\.4"/,
      ),
    ]);
  });

  it('an installed version the scheme cannot read is reported, not matched', () => {
    const result = matchPackages(db, [pkg('npm', 'pre', 'not-a-version')]);
    expect(result.findings).toEqual([]);
    expect(result.warnings).toEqual([
      '1 package(s) with versions that are not valid semver versions were not matched: pre@not-a-version',
    ]);
  });
});

describe('alias merging', () => {
  it('one finding per CVE per package, every ID listed, fixes from every advisory, the highest severity', () => {
    const result = matchPackages(db, [pkg('pypi', 'merged', '1.2')]);
    expect(result.findings.map((f) => [f.id, f.aliases, f.severity, f.fixedIn])).toEqual([
      ['CVE-2023-2222', ['GHSA-dddd-eeee-ffff'], 'CRITICAL', []],
      ['CVE-2023-1111', ['GHSA-aaaa-bbbb-cccc', 'OSV-2023-11', 'PYSEC-2023-11'], 'MEDIUM', ['1.3.2', '1.4']],
    ]);
    const merged = result.findings[1];
    expect(merged?.title).toBe('Request smuggling in merged');
    expect(merged?.vulnerability.advisories.map((a) => a.id)).toEqual([
      'GHSA-aaaa-bbbb-cccc',
      'OSV-2023-11',
      'PYSEC-2023-11',
    ]);
    expect(merged?.vulnerability.severitySource).toEqual({
      advisory: 'GHSA-aaaa-bbbb-cccc',
      field: 'severity',
      value: CVSS_MEDIUM,
    });
    expect(merged?.vulnerability.severities.map((s) => `${s.type}:${s.rating}`)).toEqual([
      'CVSS_V3:MEDIUM',
      'vendor:MEDIUM',
    ]);
    expect(merged?.remediation).toBe('upgrade merged to 1.3.2 (or 1.4)');
    expect(result.findings[0]?.vulnerability.status).toBe('unfixed');
  });

  it('advisories that only partly apply still merge: at 1.3.5 only GHSA (fixed 1.4) affects', () => {
    const [finding] = matchPackages(db, [pkg('pypi', 'merged', '1.3.5')]).findings.filter(
      (f) => f.id === 'CVE-2023-1111',
    );
    expect(finding?.aliases).toEqual(['GHSA-aaaa-bbbb-cccc']);
    expect(finding?.fixedIn).toEqual(['1.4']);
  });
});

describe('OS packages', () => {
  const debian = os('debian', '12');

  it('Debian: matched by source package and source version, `~` and epochs in dpkg order', () => {
    const result = matchPackages(
      db,
      [
        pkg('deb', 'libssl3', '3.0.11-1~deb12u1+b1', {
          source: { name: 'openssl', version: '3.0.11-1~deb12u1' },
        }),
        pkg('deb', 'openssl', '3.0.11-1~deb12u2', {
          source: { name: 'openssl', version: '3.0.11-1~deb12u2' },
        }),
        pkg('deb', 'epochal', '2.5-1'),
        pkg('deb', 'epochal', '1:2.0-1'),
      ],
      { os: debian },
    );
    expect(
      result.findings.map((f) => [f.package?.name, f.id, f.vulnerability.installedVersion, f.fixedIn]),
    ).toEqual([
      ['epochal', 'CVE-2023-4444', '2.5-1', ['1:2.0-1']],
      ['libssl3', 'CVE-2023-3333', '3.0.11-1~deb12u1', ['3.0.11-1~deb12u2']],
    ]);
    expect(result.findings[1]?.aliases).toEqual(['DEBIAN-CVE-2023-3333']);
    expect(result.findings[1]?.vulnerability).toMatchObject({ ecosystem: 'Debian:12', origin: 'distro' });
  });

  it('Ubuntu LTS releases and Alpine minor releases; the vendor rating wins for OS packages', () => {
    const ubuntu = matchPackages(db, [pkg('deb', 'curl', '7.81.0-1ubuntu1.13')], {
      os: os('ubuntu', '22.04'),
    });
    expect(ubuntu.findings.map((f) => [f.id, f.severity, f.vulnerability.ecosystem])).toEqual([
      ['CVE-2023-5555', 'HIGH', 'Ubuntu:22.04:LTS'],
    ]);
    const alpine = matchPackages(
      db,
      [pkg('apk', 'busybox-binsh', '1.36.1-r15', { source: { name: 'busybox', version: '1.36.1-r15' } })],
      {
        os: os('alpine', '3.19.1'),
      },
    );
    expect(alpine.findings.map((f) => f.id)).toEqual(['ALPINE-CVE-2023-6666']);
  });

  it('an OS without advisories is one warning, not a silent empty report', () => {
    const result = matchPackages(db, [pkg('rpm', 'bash', '5.1-1')], { os: os('fedora', '39') });
    expect(result.findings).toEqual([]);
    expect(result.warnings).toEqual([
      'OS packages not matched: fedora 39: OSV publishes no advisories Cerana matches for the fedora distribution',
    ]);
  });

  it('language packages an OS package owns: distro data by default, upstream only when asked and labeled', () => {
    const owned = pkg('pypi', 'merged', '1.2', { osOwned: true });
    const quiet = matchPackages(db, [owned], { os: debian, debug: true });
    expect(quiet.findings).toEqual([]);
    expect(quiet.explanations[0]).toMatchObject({
      verdict: 'skipped',
      reason: expect.stringContaining('owned by an OS package'),
    });
    const upstream = matchPackages(db, [owned], { os: debian, includeOsOwnedUpstream: true });
    expect(upstream.findings.map((f) => f.vulnerability.origin)).toEqual([
      'upstream-os-owned',
      'upstream-os-owned',
    ]);
    expect(upstream.findings[0]?.evidence).toContain('upstream advisory for a package an OS package owns');
  });
});

describe('ecosystems and coverage', () => {
  it('Go: the toolchain is stdlib, go1.x versions read as 1.x; (devel) modules are skipped quietly', () => {
    const result = matchPackages(db, [
      pkg('golang', 'stdlib', 'go1.19.8'),
      pkg('golang', 'stdlib', '1.21.1'),
      pkg('golang', 'example.com/app', '(devel)'),
    ]);
    expect(result.findings.map((f) => [f.id, f.vulnerability.installedVersion, f.fixedIn])).toEqual([
      ['CVE-2023-7777', '1.19.8', ['1.20.5', '1.21.1']],
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('packages of an ecosystem the database does not hold are reported', () => {
    const result = matchPackages(db, [pkg('cargo', 'regex', '1.0.0')], {
      coveredEcosystems: new Set(['npm', 'PyPI']),
    });
    expect(result.warnings).toEqual([
      '1 crates.io package(s) not matched: the vulnerability database holds no crates.io data (run `cerana db update --ecosystem crates.io`)',
    ]);
  });

  it('--debug explains every evaluation: which range matched which package, and why others did not', () => {
    const result = matchPackages(db, [pkg('npm', 'limited', '1.4.9'), pkg('npm', 'limited', '1.9.0')], {
      debug: true,
    });
    expect(result.explanations).toEqual([
      {
        package: 'limited@1.4.9',
        purl: 'pkg:npm/limited@1.4.9',
        ecosystem: 'npm',
        advisory: 'GHSA-limit',
        verdict: 'affected',
        reason: 'SEMVER range 0: introduced 0 (any version) <= 1.4.9 < fixed 2.0.0',
      },
      {
        package: 'limited@1.9.0',
        purl: 'pkg:npm/limited@1.9.0',
        ecosystem: 'npm',
        advisory: 'GHSA-limit',
        verdict: 'not affected',
        reason: '1.9.0 is in no affected range',
      },
    ]);
  });

  it('findings carry the package location and layer, and sort by severity', () => {
    const result = matchPackages(db, [pkg('pypi', 'merged', '1.2'), pkg('npm', 'limited', '1.0.0')], {
      image: 'img:1',
    });
    expect(result.findings.map((f) => [f.severity, f.id])).toEqual([
      ['CRITICAL', 'CVE-2023-2222'],
      ['MEDIUM', 'CVE-2023-1111'],
      ['UNKNOWN', 'GHSA-limit'],
    ]);
    expect(result.findings[0]?.location).toEqual({
      image: 'img:1',
      path: '/fixture/pypi/merged',
      layer: 'sha256:layer',
    });
  });
});
