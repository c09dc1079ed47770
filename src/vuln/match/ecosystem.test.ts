import { describe, expect, it } from 'vitest';
import type { OsInfo } from '../../inventory/os/detect.js';
import type { Package } from '../../inventory/package.js';
import { osEcosystems, targetsFor } from './ecosystem.js';

const os = (family: string, version: string): OsInfo => ({
  family,
  version,
  prettyName: `${family} ${version}`,
  source: 'etc/os-release',
  eol: false,
});

const pkg = (
  type: Package['type'],
  name: string,
  version: string,
  extra: Partial<Package> = {},
): Package => ({
  type,
  name,
  version,
  purl: `pkg:${type}/${name}@${version}`,
  licenses: [],
  locations: [],
  osOwned: false,
  ...extra,
});

describe('osEcosystems', () => {
  it.each([
    ['debian', '12', ['Debian:12']],
    ['debian', '11.8', ['Debian:11']],
    ['ubuntu', '22.04', ['Ubuntu:22.04:LTS']],
    ['ubuntu', '23.10', ['Ubuntu:23.10']],
    ['ubuntu', '21.04', ['Ubuntu:21.04']],
    ['alpine', '3.19.1', ['Alpine:v3.19']],
    ['rocky', '9.3', ['Rocky Linux:9']],
    ['almalinux', '8.9', ['AlmaLinux:8']],
    [
      'rhel',
      '9.2',
      [
        'Red Hat:enterprise_linux:9::baseos',
        'Red Hat:enterprise_linux:9::appstream',
        'Red Hat:enterprise_linux:9::crb',
      ],
    ],
    ['wolfi', '20230201', ['Wolfi']],
  ])('%s %s → %j', (family, version, expected) => {
    expect(osEcosystems(os(family, version))).toEqual({ ok: true, ecosystems: expected });
  });

  it('says why there is none', () => {
    expect(osEcosystems(os('debian', 'trixie/sid'))).toEqual({
      ok: false,
      reason: 'debian trixie/sid: no numbered Debian release (testing/sid)',
    });
    expect(osEcosystems(os('alpine', 'edge')).ok).toBe(false);
    expect(osEcosystems(os('gentoo', '2.14')).ok).toBe(false);
  });
});

describe('targetsFor', () => {
  it('looks deb and apk packages up by source, rpm packages by binary name with the epoch', () => {
    const debian = os('debian', '12');
    expect(
      targetsFor(
        pkg('deb', 'python3', '3.11.2-1+b1', { source: { name: 'python3-defaults', version: '3.11.2-1' } }),
        debian,
      ),
    ).toEqual({
      ok: true,
      targets: [{ ecosystem: 'Debian:12', name: 'python3-defaults', version: '3.11.2-1', origin: 'distro' }],
    });
    expect(
      targetsFor(
        pkg('rpm', 'openssl-libs', '1:3.0.7-25.el9', {
          source: { name: 'openssl', version: '1:3.0.7-25.el9' },
        }),
        os('rocky', '9.3'),
      ),
    ).toEqual({
      ok: true,
      targets: [
        { ecosystem: 'Rocky Linux:9', name: 'openssl-libs', version: '1:3.0.7-25.el9', origin: 'distro' },
      ],
    });
  });

  it('maps language packages to their OSV ecosystem', () => {
    const names = (['npm', 'pypi', 'maven', 'golang', 'cargo', 'gem', 'composer', 'nuget'] as const).map(
      (type) => {
        const result = targetsFor(pkg(type, 'x', '1.0.0'), undefined);
        return result.ok ? result.targets[0]?.ecosystem : result.reason;
      },
    );
    expect(names).toEqual(['npm', 'PyPI', 'Maven', 'Go', 'crates.io', 'RubyGems', 'Packagist', 'NuGet']);
  });

  it('refuses OS packages without an OS or on the wrong OS', () => {
    expect(targetsFor(pkg('deb', 'bash', '5.2-1'), undefined)).toMatchObject({ ok: false });
    expect(targetsFor(pkg('deb', 'bash', '5.2-1'), os('alpine', '3.19.0'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('does not ship deb packages'),
    });
  });
});
