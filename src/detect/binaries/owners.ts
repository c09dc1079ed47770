import type { ImageFiles } from '../../image/scan/index.js';
import { parseApkInstalled } from '../../inventory/os/apk/installed.js';
import { parseFileList } from '../../inventory/os/dpkg/status.js';
import type { Package } from '../../inventory/package.js';
import type { PackageRef } from '../../policy/finding.js';
import type { FileOwners } from './portrait.js';

const DPKG_INFO = 'var/lib/dpkg/info/';
const APK_INSTALLED = 'lib/apk/db/installed';

/**
 * Which OS package installed each file, from the package databases the inventory's catalogers
 * captured in the same layer pass: dpkg's `info/<package>.list` files and apk's installed
 * database. (rpm file lists live in the rpm database headers and are not indexed here.)
 *
 * Databases list paths as packages shipped them (`/bin/sh`, `/lib/x86_64-linux-gnu/…`); on a
 * merged-/usr system those directories are symlinks, so every directory is resolved through
 * the image's links before paths are compared — on both sides.
 */
export function packageOwners(files: ImageFiles, packages: readonly Package[]): FileOwners {
  const index = new OwnerIndex(files);
  const apkFiles = new Map<string, string[]>();
  const apkDb = files.read(APK_INSTALLED);
  if (apkDb !== undefined) {
    for (const record of parseApkInstalled(apkDb.toString('utf8')).records) {
      apkFiles.set(`${record.name}\0${record.version}`, record.files);
    }
  }
  for (const pkg of packages) {
    const ref = toRef(pkg);
    if (pkg.type === 'deb') {
      const names = pkg.arch ? [`${pkg.name}:${pkg.arch}`, pkg.name] : [pkg.name];
      for (const name of names) {
        const list = files.read(`${DPKG_INFO}${name}.list`);
        if (list === undefined) continue;
        for (const path of parseFileList(list.toString('utf8'))) index.add(path, ref);
        break;
      }
    } else if (pkg.type === 'apk') {
      for (const path of apkFiles.get(`${pkg.name}\0${pkg.version}`) ?? []) index.add(path, ref);
    }
  }
  return index;
}

function toRef(pkg: Package): PackageRef {
  return { type: pkg.type, name: pkg.name, version: pkg.version, purl: pkg.purl };
}

class OwnerIndex implements FileOwners {
  private readonly owners = new Map<string, PackageRef>();

  constructor(private readonly files: ImageFiles) {}

  add(path: string, owner: PackageRef): void {
    const canonical = this.canonical(path);
    // Two packages listing one file (diversions, shared dirs): the first one keeps it.
    if (!this.owners.has(canonical)) this.owners.set(canonical, owner);
  }

  ownerOf(path: string): PackageRef | undefined {
    return this.owners.size === 0 ? undefined : this.owners.get(this.canonical(path));
  }

  private canonical(path: string): string {
    const trimmed = path.replace(/^\/+/, '');
    const slash = trimmed.lastIndexOf('/');
    if (slash < 0) return trimmed;
    const dir = trimmed.slice(0, slash);
    const resolved = this.files.resolveDirectory(dir) ?? dir;
    const base = trimmed.slice(slash + 1);
    return resolved === '' ? base : `${resolved}/${base}`;
  }
}
