import { CeranaError } from '../../../common/errors.js';
import type { OsInfo } from '../../../inventory/os/detect.js';
import type { Package, PackageLocation, PackageType } from '../../../inventory/package.js';
import { type PurlParts, parsePurl } from '../../../inventory/purl.js';

/**
 * A CycloneDX (JSON, 1.4–1.6) or SPDX (JSON, 2.2–2.3) SBOM read back into packages, so it can be
 * rescanned without the image. Packages come from purls; what a purl cannot say is taken from the
 * writer's own annotations where present: Cerana's properties (source package, OS ownership,
 * locations and layers), Trivy's (`aquasecurity:trivy:Src*`), and the purl `upstream` qualifier
 * Syft writes. The OS comes from the `operating-system` component / package, else from the deb,
 * apk or rpm purls' `distro` qualifier.
 */
export interface SbomPackages {
  format: 'cyclonedx' | 'spdx';
  /** What the SBOM describes (the image reference or name). */
  subject: string;
  os?: OsInfo;
  packages: Package[];
  /** Components without a usable purl, and purls of types Cerana does not match. */
  warnings: string[];
}

const TYPES: Readonly<Record<string, PackageType>> = {
  deb: 'deb',
  apk: 'apk',
  alpm: 'apk',
  rpm: 'rpm',
  npm: 'npm',
  pypi: 'pypi',
  maven: 'maven',
  golang: 'golang',
  cargo: 'cargo',
  gem: 'gem',
  composer: 'composer',
  nuget: 'nuget',
};

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export function readSbom(text: string, name: string): SbomPackages {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new CeranaError('INPUT', `${name}: not JSON: ${(error as Error).message}`, {
      hint: 'cerana reads CycloneDX and SPDX documents in JSON',
    });
  }
  if (isObject(document) && document.bomFormat === 'CycloneDX') return readCycloneDx(document);
  if (isObject(document) && typeof document.spdxVersion === 'string') return readSpdx(document);
  throw new CeranaError('INPUT', `${name}: neither a CycloneDX nor an SPDX JSON document`, {
    hint: 'CycloneDX has "bomFormat": "CycloneDX"; SPDX has "spdxVersion"',
  });
}

interface Annotations {
  source?: { name: string; version: string };
  osOwned?: boolean;
  locations: PackageLocation[];
}

function readCycloneDx(bom: Json): SbomPackages {
  const warnings: string[] = [];
  const packages: Package[] = [];
  const metadata = isObject(bom.metadata) ? bom.metadata : {};
  const subjectComponent = isObject(metadata.component) ? metadata.component : {};
  let os: OsInfo | undefined;
  // Components nest (a jar inside a war); walk them all, iteratively so hostile depth cannot overflow the stack.
  const pending: unknown[] = [...arr(bom.components)];
  for (let component = pending.shift(); component !== undefined; component = pending.shift()) {
    if (!isObject(component)) continue;
    pending.push(...arr(component.components));
    if (component.type === 'operating-system') {
      os ??= osFrom(str(component.name), str(component.version), str(component.description));
      continue;
    }
    const purl = str(component.purl);
    const label = str(component.name) ?? str(component['bom-ref']) ?? '?';
    if (purl === undefined) {
      if (component.type === 'library' || component.type === undefined)
        warnings.push(`${label}: no purl, not matched`);
      continue;
    }
    const properties = new Map<string, string[]>();
    for (const property of arr(component.properties)) {
      if (!isObject(property)) continue;
      const key = str(property.name);
      const value = str(property.value);
      if (key === undefined || value === undefined) continue;
      properties.set(key, [...(properties.get(key) ?? []), value]);
    }
    const first = (key: string) => properties.get(key)?.[0];
    const notes: Annotations = { locations: [] };
    const sourceName = first('cerana:package:source:name') ?? first('aquasecurity:trivy:SrcName');
    const sourceVersion = first('cerana:package:source:version') ?? trivySourceVersion(first);
    if (sourceName !== undefined && sourceVersion !== undefined)
      notes.source = { name: sourceName, version: sourceVersion };
    const owned = first('cerana:package:osOwned');
    if (owned !== undefined) notes.osOwned = owned === 'true';
    const paths = properties.get('cerana:location:path') ?? [];
    const layers = properties.get('cerana:location:layer') ?? [];
    paths.forEach((path, i) => {
      notes.locations.push({ path: path.replace(/^\/+/, ''), layer: layers[i] ?? '' });
    });
    if (notes.locations.length === 0) {
      const evidence = isObject(component.evidence) ? component.evidence : {};
      for (const occurrence of arr(evidence.occurrences)) {
        const location = isObject(occurrence) ? str(occurrence.location) : undefined;
        if (location)
          notes.locations.push({
            path: location.replace(/^\/+/, ''),
            layer: first('aquasecurity:trivy:LayerDiffID') ?? '',
          });
      }
    }
    const pkg = packageFrom(purl, label, notes, warnings);
    if (pkg) packages.push(pkg);
  }
  os ??= osFromPurls(packages);
  const subject =
    str(subjectComponent.name) !== undefined
      ? `${str(subjectComponent.name)}${str(subjectComponent.version) ? `@${str(subjectComponent.version)}` : ''}`
      : 'sbom';
  return withOs({ format: 'cyclonedx', subject, packages, warnings }, os);
}

/** Trivy writes the epoch, version and release of the source package apart. */
function trivySourceVersion(first: (key: string) => string | undefined): string | undefined {
  const version = first('aquasecurity:trivy:SrcVersion');
  if (version === undefined) return undefined;
  const release = first('aquasecurity:trivy:SrcRelease');
  const epoch = first('aquasecurity:trivy:SrcEpoch');
  const full = release ? `${version}-${release}` : version;
  return epoch && epoch !== '0' ? `${epoch}:${full}` : full;
}

function readSpdx(document: Json): SbomPackages {
  const warnings: string[] = [];
  const packages: Package[] = [];
  let os: OsInfo | undefined;
  for (const entry of arr(document.packages)) {
    if (!isObject(entry)) continue;
    const label = str(entry.name) ?? str(entry.SPDXID) ?? '?';
    if (entry.primaryPackagePurpose === 'OPERATING_SYSTEM') {
      os ??= osFrom(str(entry.name), str(entry.versionInfo), str(entry.comment));
      continue;
    }
    if (entry.primaryPackagePurpose === 'CONTAINER') continue;
    const purl = arr(entry.externalRefs)
      .filter(isObject)
      .find((ref) => ref.referenceType === 'purl')?.referenceLocator;
    if (typeof purl !== 'string') {
      warnings.push(`${label}: no purl, not matched`);
      continue;
    }
    const notes: Annotations = { locations: [] };
    const comment = str(entry.comment) ?? '';
    const source = /source package (\S+) (\S+?)(?:;|$)/.exec(comment);
    if (source?.[1] && source[2]) notes.source = { name: source[1], version: source[2] };
    if (comment.includes('files owned by an OS package')) notes.osOwned = true;
    // Cerana writes `found in /path (layer sha256:...), ...`.
    for (const match of (str(entry.sourceInfo) ?? '').matchAll(/\/(\S+) \(layer ([^)]*)\)/g)) {
      notes.locations.push({ path: match[1] ?? '', layer: match[2] ?? '' });
    }
    const pkg = packageFrom(purl, label, notes, warnings);
    if (pkg) packages.push(pkg);
  }
  os ??= osFromPurls(packages);
  return withOs({ format: 'spdx', subject: str(document.name) ?? 'sbom', packages, warnings }, os);
}

function withOs(result: SbomPackages, os: OsInfo | undefined): SbomPackages {
  if (os) result.os = os;
  return result;
}

function packageFrom(
  purl: string,
  label: string,
  notes: Annotations,
  warnings: string[],
): Package | undefined {
  let parts: PurlParts;
  try {
    parts = parsePurl(purl);
  } catch {
    warnings.push(`${label}: unreadable purl ${JSON.stringify(purl.slice(0, 100))}, not matched`);
    return undefined;
  }
  const type = TYPES[parts.type];
  if (type === undefined) {
    // Images, files, GitHub actions...: nothing Cerana matches; not worth a warning.
    return undefined;
  }
  if (parts.version === undefined || parts.version === '') {
    warnings.push(`${purl}: no version, not matched`);
    return undefined;
  }
  const epoch = parts.qualifiers?.epoch;
  const version =
    type === 'rpm' && epoch && epoch !== '0' && !parts.version.includes(':')
      ? `${epoch}:${parts.version}`
      : parts.version;
  const pkg: Package = {
    type,
    name: packageName(type, parts),
    version,
    purl,
    licenses: [],
    locations: notes.locations,
    osOwned: notes.osOwned ?? false,
  };
  const upstream = parts.qualifiers?.upstream;
  if (notes.source) pkg.source = notes.source;
  else if (upstream && (type === 'deb' || type === 'apk')) {
    // Syft: `upstream=openssl` (same version) or `upstream=openssl@3.0.11-1`.
    const at = upstream.lastIndexOf('@');
    pkg.source =
      at > 0 ? { name: upstream.slice(0, at), version: upstream.slice(at + 1) } : { name: upstream, version };
  }
  if (parts.qualifiers?.arch) pkg.arch = parts.qualifiers.arch;
  return pkg;
}

/** The ecosystem's own name from a purl: `@scope/name`, `group:artifact`, a Go module path, `vendor/name`. */
function packageName(type: PackageType, parts: PurlParts): string {
  const namespace = parts.namespace;
  if (namespace === undefined) return parts.name;
  switch (type) {
    case 'npm':
    case 'golang':
    case 'composer':
      return `${namespace}/${parts.name}`;
    case 'maven':
      return `${namespace}:${parts.name}`;
    default:
      // OS packages: the namespace is the vendor (debian, alpine).
      return parts.name;
  }
}

const FAMILIES: Readonly<Record<string, string>> = {
  rhel: 'rhel',
  redhat: 'rhel',
  'red hat': 'rhel',
  ol: 'oracle',
};

function osFrom(
  name: string | undefined,
  version: string | undefined,
  pretty: string | undefined,
): OsInfo | undefined {
  if (!name) return undefined;
  const family = FAMILIES[name.toLowerCase()] ?? name.toLowerCase();
  return {
    family,
    version: version ?? '',
    prettyName: pretty ?? `${name} ${version ?? ''}`.trim(),
    source: 'sbom',
    eol: false,
  };
}

/** `distro=debian-12` (Cerana, Syft), `distro=12.5` with the vendor as namespace (Trivy writes the release only). */
function osFromPurls(packages: readonly Package[]): OsInfo | undefined {
  for (const pkg of packages) {
    if (pkg.type !== 'deb' && pkg.type !== 'apk' && pkg.type !== 'rpm') continue;
    const parts = parsePurl(pkg.purl);
    const distro = parts.qualifiers?.distro;
    if (!distro) continue;
    const named = /^([a-z][a-z-]*?)-(\d[\w.]*)$/.exec(distro);
    if (named?.[1] && named[2]) return osFrom(named[1], named[2], undefined);
    if (/^\d/.test(distro) && parts.namespace) return osFrom(parts.namespace, distro, undefined);
  }
  return undefined;
}
