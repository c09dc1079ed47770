import type { OsInfo } from '../../inventory/os/detect.js';
import type { Package, PackageType } from '../../inventory/package.js';

/**
 * Where to look a package up: the OSV ecosystem, the name and the version the advisories of that
 * ecosystem are written against. OS packages are looked up in their distribution's data (Debian
 * and Ubuntu key advisories by source package; Alpine by origin), language packages upstream.
 */
export interface MatchTarget {
  ecosystem: string;
  name: string;
  version: string;
  /** `distro`: the OS vendor's advisories; `upstream`: the language ecosystem's. */
  origin: 'distro' | 'upstream';
}

export type TargetResolution =
  | { ok: true; targets: MatchTarget[] }
  | {
      ok: false;
      reason: string /** true when nothing could match it anyway (unreleased code) */;
      quiet?: boolean;
    };

const UPSTREAM: Partial<Record<PackageType, string>> = {
  npm: 'npm',
  pypi: 'PyPI',
  maven: 'Maven',
  golang: 'Go',
  cargo: 'crates.io',
  gem: 'RubyGems',
  composer: 'Packagist',
  nuget: 'NuGet',
};

/** The package types each distribution family ships. */
const OS_TYPES: Readonly<Record<string, PackageType>> = {
  debian: 'deb',
  ubuntu: 'deb',
  alpine: 'apk',
  wolfi: 'apk',
  chainguard: 'apk',
  rocky: 'rpm',
  almalinux: 'rpm',
  rhel: 'rpm',
};

/** RHEL content streams OSV's Red Hat data is split into, looked up in this order. */
const RHEL_STREAMS = ['baseos', 'appstream', 'crb'];

/**
 * The OSV ecosystems of an OS release, or a reason there are none. Debian by major release,
 * Ubuntu by release with `:LTS` for long-term releases, Alpine by `v<major>.<minor>`.
 */
export function osEcosystems(os: OsInfo): { ok: true; ecosystems: string[] } | { ok: false; reason: string } {
  const [major = '', minor] = os.version.split('.');
  const numbered = /^\d+$/.test(major);
  const fail = (why: string) => ({ ok: false as const, reason: `${os.prettyName}: ${why}` });
  switch (os.family) {
    case 'debian':
      return numbered
        ? { ok: true, ecosystems: [`Debian:${major}`] }
        : fail('no numbered Debian release (testing/sid)');
    case 'ubuntu': {
      if (!numbered || minor === undefined) return fail('no Ubuntu release number');
      const release = `${major}.${minor}`;
      // Long-term releases are the April releases of even years.
      const lts = Number(major) % 2 === 0 && minor === '04';
      return { ok: true, ecosystems: [lts ? `Ubuntu:${release}:LTS` : `Ubuntu:${release}`] };
    }
    case 'alpine':
      return numbered && minor !== undefined
        ? { ok: true, ecosystems: [`Alpine:v${major}.${minor}`] }
        : fail('no Alpine release number (edge)');
    case 'wolfi':
      return { ok: true, ecosystems: ['Wolfi'] };
    case 'chainguard':
      return { ok: true, ecosystems: ['Chainguard'] };
    case 'rocky':
      return numbered
        ? { ok: true, ecosystems: [`Rocky Linux:${major}`] }
        : fail('no Rocky Linux release number');
    case 'almalinux':
      return numbered
        ? { ok: true, ecosystems: [`AlmaLinux:${major}`] }
        : fail('no AlmaLinux release number');
    case 'rhel':
      return numbered
        ? {
            ok: true,
            ecosystems: RHEL_STREAMS.map((stream) => `Red Hat:enterprise_linux:${major}::${stream}`),
          }
        : fail('no Red Hat Enterprise Linux release number');
    default:
      return fail(`OSV publishes no advisories Cerana matches for the ${os.family} distribution`);
  }
}

/** The lookups for one package. */
export function targetsFor(pkg: Package, os: OsInfo | undefined): TargetResolution {
  const upstream = UPSTREAM[pkg.type];
  if (upstream !== undefined) return upstreamTarget(pkg, upstream);
  if (os === undefined) return { ok: false, reason: `${pkg.type} package but the OS was not detected` };
  if (OS_TYPES[os.family] !== pkg.type) {
    return {
      ok: false,
      reason: `${pkg.type} package on ${os.prettyName}, which does not ship ${pkg.type} packages`,
    };
  }
  const ecosystems = osEcosystems(os);
  if (!ecosystems.ok) return ecosystems;
  // Debian, Ubuntu and Alpine write advisories against the source package; RPM distributions against binary packages.
  const bySource = pkg.type !== 'rpm' && pkg.source !== undefined;
  const name = bySource && pkg.source ? pkg.source.name : pkg.name;
  const version = bySource && pkg.source ? pkg.source.version : pkg.version;
  return {
    ok: true,
    targets: ecosystems.ecosystems.map((ecosystem) => ({ ecosystem, name, version, origin: 'distro' })),
  };
}

function upstreamTarget(pkg: Package, ecosystem: string): TargetResolution {
  let version = pkg.version;
  if (pkg.type === 'golang') {
    if (version === '' || version === '(devel)') {
      return {
        ok: false,
        reason: 'a Go module built from local source ((devel)) has no release to match',
        quiet: true,
      };
    }
    // The toolchain is `stdlib` at the Go release (`go1.19.8` → `1.19.8`), as the Go data writes it.
    if (pkg.name === 'stdlib') version = version.replace(/^go/, '');
  }
  if (version === '') return { ok: false, reason: 'no version' };
  return { ok: true, targets: [{ ecosystem, name: pkg.name, version, origin: 'upstream' }] };
}
