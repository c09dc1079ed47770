import { END_OF_LIFE } from './eol-dates.js';
import { parseOsRelease } from './os-release.js';

export interface OsInfo {
  /** Normalized distribution id: debian, ubuntu, alpine, rhel, centos, rocky, almalinux, fedora, amzn, ... */
  family: string;
  /** Release as the distribution numbers it (`12`, `22.04`, `3.19.1`, `9.3`). */
  version: string;
  codename?: string;
  prettyName: string;
  /** The file the answer came from. */
  source: string;
  /** True when the release is past the end of all security support at the time of the scan. */
  eol: boolean;
  eolDate?: string;
  distroless?: boolean;
}

/** Reads a visible file of the image (symlinks resolved inside the image root), or undefined. */
export type ReadFile = (path: string) => Buffer | undefined;
export type Exists = (path: string) => boolean;

/** The files OS detection reads; catalogers capture them in the layer pass. */
export const OS_RELEASE_FILES = [
  'etc/os-release',
  'usr/lib/os-release',
  'etc/lsb-release',
  'etc/debian_version',
  'etc/alpine-release',
  'etc/redhat-release',
  'etc/system-release',
  'etc/centos-release',
  'etc/rocky-release',
  'etc/almalinux-release',
] as const;

const ID_ALIASES: Record<string, string> = {
  ol: 'oracle',
  'opensuse-leap': 'opensuse',
  sles: 'suse',
  rhel: 'rhel',
};

/** The release key the lifecycle table uses: major for most, major.minor for Ubuntu and Alpine. */
function lifecycleKey(family: string, version: string): string {
  const parts = version.split('.');
  if (family === 'ubuntu' || family === 'alpine') return parts.slice(0, 2).join('.');
  if (family === 'amzn') return version;
  return parts[0] ?? version;
}

function withLifecycle(info: Omit<OsInfo, 'eol' | 'eolDate'>, now: Date): OsInfo {
  const eolDate = END_OF_LIFE[info.family]?.[lifecycleKey(info.family, info.version)];
  const result: OsInfo = { ...info, eol: eolDate !== undefined && new Date(`${eolDate}T23:59:59Z`) < now };
  if (eolDate) result.eolDate = eolDate;
  return result;
}

const text = (read: ReadFile, path: string): string | undefined => read(path)?.toString('utf8');

function fromOsRelease(read: ReadFile): Omit<OsInfo, 'eol'> | undefined {
  for (const path of ['etc/os-release', 'usr/lib/os-release']) {
    const content = text(read, path);
    if (!content) continue;
    const fields = parseOsRelease(content);
    const id = fields.ID?.toLowerCase();
    if (!id) continue;
    let version = fields.VERSION_ID ?? '';
    // Debian testing/sid have no VERSION_ID; debian_version then names the release in progress.
    if (id === 'debian' && !version) version = text(read, 'etc/debian_version')?.trim() ?? '';
    if (id === 'alpine') version = text(read, 'etc/alpine-release')?.trim() || version;
    const info: Omit<OsInfo, 'eol'> = {
      family: ID_ALIASES[id] ?? id,
      version,
      prettyName: fields.PRETTY_NAME ?? `${fields.NAME ?? id} ${version}`.trim(),
      source: path,
    };
    const codename = fields.VERSION_CODENAME ?? fields.UBUNTU_CODENAME;
    if (codename) info.codename = codename;
    return info;
  }
  return undefined;
}

const RELEASE_FILE = /^(.*?) release (\d+(?:\.\d+)*)/;

function fromLegacyFiles(read: ReadFile): Omit<OsInfo, 'eol'> | undefined {
  const lsb = text(read, 'etc/lsb-release');
  if (lsb) {
    const fields = parseOsRelease(lsb);
    if (fields.DISTRIB_ID && fields.DISTRIB_RELEASE) {
      const info: Omit<OsInfo, 'eol'> = {
        family: fields.DISTRIB_ID.toLowerCase(),
        version: fields.DISTRIB_RELEASE,
        prettyName: fields.DISTRIB_DESCRIPTION ?? `${fields.DISTRIB_ID} ${fields.DISTRIB_RELEASE}`,
        source: 'etc/lsb-release',
      };
      if (fields.DISTRIB_CODENAME) info.codename = fields.DISTRIB_CODENAME;
      return info;
    }
  }
  const alpine = text(read, 'etc/alpine-release')?.trim();
  if (alpine)
    return {
      family: 'alpine',
      version: alpine,
      prettyName: `Alpine Linux v${alpine}`,
      source: 'etc/alpine-release',
    };
  for (const path of [
    'etc/centos-release',
    'etc/rocky-release',
    'etc/almalinux-release',
    'etc/redhat-release',
    'etc/system-release',
  ]) {
    const line = text(read, path)?.trim();
    const match = line ? RELEASE_FILE.exec(line) : null;
    if (!line || !match) continue;
    const name = (match[1] ?? '').toLowerCase();
    const family = name.includes('centos')
      ? 'centos'
      : name.includes('rocky')
        ? 'rocky'
        : name.includes('alma')
          ? 'almalinux'
          : name.includes('amazon')
            ? 'amzn'
            : name.includes('fedora')
              ? 'fedora'
              : 'rhel';
    return { family, version: match[2] ?? '', prettyName: line, source: path };
  }
  const debian = text(read, 'etc/debian_version')?.trim();
  if (debian && /^\d/.test(debian)) {
    return {
      family: 'debian',
      version: debian.split('.')[0] ?? debian,
      prettyName: `Debian GNU/Linux ${debian}`,
      source: 'etc/debian_version',
    };
  }
  return undefined;
}

/**
 * Detects the distribution of an image from its release files. Distroless images have no
 * os-release but keep dpkg metadata in `var/lib/dpkg/status.d`.
 */
export function detectOs(read: ReadFile, exists: Exists, now: Date = new Date()): OsInfo | undefined {
  const found = fromOsRelease(read) ?? fromLegacyFiles(read);
  if (found) {
    const info = withLifecycle(found, now);
    if (exists('var/lib/dpkg/status.d') && !exists('var/lib/dpkg/status')) info.distroless = true;
    return info;
  }
  if (exists('var/lib/dpkg/status.d')) {
    return withLifecycle(
      {
        family: 'debian',
        version: '',
        prettyName: 'Distroless (Debian)',
        source: 'var/lib/dpkg/status.d',
        distroless: true,
      },
      now,
    );
  }
  return undefined;
}
