import type { ImageFiles, JsonValue, LocatedFact } from '../../../image/scan/index.js';
import { readAll } from '../../byte-reader.js';
import type { CatalogContext, Cataloger, CatalogResult } from '../../cataloger.js';
import { originLayers } from '../../origin-layer.js';
import type { Package } from '../../package.js';
import { formatPurl } from '../../purl.js';
import { limitWarnings, messageOf } from '../../text.js';
import { distroQualifier } from '../distro.js';
import { readRpmDatabase } from './database.js';
import type { RpmHeader } from './header.js';

/** Database files in rpm's usual homes, preferred first when an image has several. */
const DB_NAMES = ['rpmdb.sqlite', 'Packages.db', 'Packages'];
const DB_DIRS = ['usr/lib/sysimage/rpm/', 'var/lib/rpm/'];
const DB_PATHS = new Set(DB_DIRS.flatMap((dir) => DB_NAMES.map((name) => `${dir}${name}`)));
const PREFERENCE = [...DB_PATHS];

/**
 * Databases are read whole (the header blobs are scattered over the file): up to this size,
 * far above the largest real ones (a full RHEL install is ~100 MiB).
 */
export const MAX_RPMDB_BYTES = 1024 ** 3;

/** Purl namespaces by distribution; others use their own id. */
const VENDORS: Record<string, string> = { rhel: 'redhat', ol: 'oracle', amzn: 'amazon' };

interface RpmFactPackage {
  name: string;
  epoch: number | null;
  version: string;
  release: string;
  arch: string;
  sourceRpm: string;
  license: string;
  files: string[];
}

interface RpmFact {
  format: string;
  packages: RpmFactPackage[];
  warnings: string[];
}

/**
 * rpm packages from any of rpm's database backends: SQLite (`rpmdb.sqlite`, rpm ≥ 4.16),
 * Berkeley DB (`Packages`) and ndb (`Packages.db`, SUSE). The database is parsed while its
 * layer streams past, so the facts cache keeps the parsed packages, not the file.
 */
const NAME = 'inventory/rpm';

export const rpmCataloger: Cataloger = {
  name: NAME,
  version: 1,

  wants: (path) =>
    (path.endsWith('Packages') || path.endsWith('Packages.db') || path.endsWith('rpmdb.sqlite')) &&
    DB_PATHS.has(path)
      ? 'stream'
      : false,

  async onStream(file) {
    let fact: RpmFact;
    try {
      const database = readRpmDatabase(await readAll(file.body, MAX_RPMDB_BYTES));
      fact = {
        format: database.format,
        warnings: limitWarnings(database.warnings),
        packages: database.headers.filter((h) => h.name !== 'gpg-pubkey').map(toFactPackage),
      };
    } catch (error) {
      fact = { format: 'unknown', packages: [], warnings: [messageOf(error)] };
    }
    return [{ kind: 'rpm-database', data: fact as unknown as JsonValue }];
  },

  catalog(files: ImageFiles, context: CatalogContext): CatalogResult {
    const warnings: string[] = [];
    const visible = files.facts(NAME);
    const chosen = PREFERENCE.map((path) => visible.find((fact) => fact.path === path)).find(
      (fact) => fact !== undefined,
    );
    if (chosen === undefined) return { packages: [], warnings };
    for (const other of visible) {
      if (other !== chosen) warnings.push(`${other.path}: ignored: the image also has ${chosen.path}`);
    }
    const database = chosen.data as unknown as RpmFact;
    for (const warning of database.warnings) warnings.push(`${chosen.path}: ${warning}`);

    const history = files
      .facts(NAME, { includeHidden: true })
      .filter((fact) => fact.path === chosen.path && fact.layerIndex <= chosen.layerIndex);
    const origins = originLayers(history.map((fact: LocatedFact) => snapshot(fact)));
    const vendor = context.os ? (VENDORS[context.os.family] ?? context.os.family) : 'redhat';
    const distro = distroQualifier(context.os);
    const packages = database.packages.map((p) => toPackage(p, vendor, distro, chosen.path, origins));
    return { packages, warnings, ownedFiles: database.packages.flatMap((p) => p.files) };
  },
};

function toFactPackage(header: RpmHeader): RpmFactPackage {
  return {
    name: header.name,
    epoch: header.epoch ?? null,
    version: header.version,
    release: header.release,
    arch: header.arch,
    sourceRpm: header.sourceRpm,
    license: header.license,
    files: header.files,
  };
}

const keyOf = (p: RpmFactPackage): string => `${p.name}\0${p.epoch}\0${p.version}\0${p.release}\0${p.arch}`;

function snapshot(fact: LocatedFact): { layer: string; keys: Set<string> } {
  const data = fact.data as unknown as RpmFact;
  return { layer: fact.layer, keys: new Set(data.packages.map(keyOf)) };
}

/** `epoch:version-release`, the epoch only when it is not zero. */
function evr(epoch: number | null, version: string, release: string): string {
  const vr = release ? `${version}-${release}` : version;
  return epoch ? `${epoch}:${vr}` : vr;
}

/** `name-version-release.src.rpm` → its name and version-release. */
export function parseSourceRpm(sourceRpm: string): { name: string; version: string } | undefined {
  const match = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(sourceRpm);
  return match ? { name: match[1] as string, version: `${match[2]}-${match[3]}` } : undefined;
}

function toPackage(
  p: RpmFactPackage,
  vendor: string,
  distro: string | undefined,
  path: string,
  origins: Map<string, string>,
): Package {
  const pkg: Package = {
    type: 'rpm',
    name: p.name,
    version: evr(p.epoch, p.version, p.release),
    purl: formatPurl({
      type: 'rpm',
      namespace: vendor,
      name: p.name,
      version: p.release ? `${p.version}-${p.release}` : p.version,
      qualifiers: { arch: p.arch, epoch: p.epoch ? String(p.epoch) : undefined, distro },
    }),
    licenses: p.license ? [p.license] : [],
    locations: [{ path, layer: origins.get(keyOf(p)) ?? '' }],
    osOwned: false,
  };
  const source = parseSourceRpm(p.sourceRpm);
  if (source)
    pkg.source = { name: source.name, version: p.epoch ? `${p.epoch}:${source.version}` : source.version };
  if (p.arch) pkg.arch = p.arch;
  return pkg;
}
