import type { ImageFiles } from '../../../image/scan/index.js';
import type { CatalogContext, Cataloger, CatalogResult } from '../../cataloger.js';
import { capturedHistory, type DatabaseSnapshot, originLayers } from '../../origin-layer.js';
import type { Package } from '../../package.js';
import { PerFile } from '../../per-file.js';
import { formatPurl } from '../../purl.js';
import { appendAll, appendWarnings, decodeText, invalidUtf8Warning } from '../../text.js';
import { distroQualifier, vendorOf } from '../distro.js';
import { type DpkgRecord, parseCopyrightLicenses, parseDpkgStatus, parseFileList } from './status.js';

const STATUS = 'var/lib/dpkg/status';
const STATUS_D = 'var/lib/dpkg/status.d/';
const INFO = 'var/lib/dpkg/info/';
const DOC = 'usr/share/doc/';
const DPKG_FAMILIES = ['debian', 'ubuntu', 'raspbian', 'kali', 'linuxmint', 'pop', 'devuan'];

// Parsed ahead during the scan (prepare): parsing these is most of catalog()'s time. The file
// lists are not: their paths (143,000 on bench/inventory's image), held from the scan on, cost
// the scan more in garbage collection than parsing them afterwards costs (10–20 ms).
const statusFiles = new PerFile((data, path, warnings) => {
  const parsed = parseDpkgStatus(decodeText(data, path, warnings), path);
  appendWarnings(warnings, parsed.warnings, path);
  return parsed.records;
});
const copyrightLicenses = new PerFile((data, path, warnings) =>
  parseCopyrightLicenses(data, () => warnings.push(invalidUtf8Warning(path))),
);

const keyOf = (record: DpkgRecord): string => `${record.name}\0${record.version}\0${record.architecture}`;

/**
 * Debian packages: the dpkg status database (or distroless `status.d/*` files, one package
 * each), owned files from `info/<pkg>.list` (distroless: `status.d/<pkg>.md5sums`) and licenses
 * from machine-readable `usr/share/doc/<pkg>/copyright` files.
 */
export const dpkgCataloger: Cataloger = {
  name: 'inventory/dpkg',
  version: 1,

  wants(path) {
    if (path.startsWith('var/lib/dpkg/')) {
      return path === STATUS || path.startsWith(STATUS_D) || isFileList(path) ? 'capture' : false;
    }
    return isCopyright(path) ? 'capture' : false;
  },

  prepare(path, data) {
    if (path === STATUS) statusFiles.prepare(path, data);
    else if (isCopyright(path)) copyrightLicenses.prepare(path, data);
  },

  catalog(files: ImageFiles, context: CatalogContext): CatalogResult {
    const warnings: string[] = [];
    const ownedFiles: string[] = [];
    const packages: Package[] = [];
    const vendor = vendorOf(context.os, DPKG_FAMILIES, 'debian');
    const distro = distroQualifier(context.os);

    const add = (record: DpkgRecord, location: { path: string; layer: string }, owned: string[]) => {
      packages.push(toPackage(record, location, vendor, distro, licensesOf(files, record.name, warnings)));
      appendAll(ownedFiles, owned);
    };

    const status = files.read(STATUS);
    if (status !== undefined) {
      const records = statusFiles.read(status, STATUS, warnings);
      const origins = originLayers(statusSnapshots(files));
      for (const record of records) {
        const layer = origins.get(keyOf(record)) ?? '';
        add(record, { path: STATUS, layer }, listedFiles(files, record, warnings));
      }
    }

    // Distroless: one file per package, no Status field; `<name>.md5sums` beside it lists its files.
    const distroless = files.layers.some((layer) =>
      [...layer.captured.keys()].some((k) => k.startsWith(STATUS_D)),
    );
    for (const file of distroless ? files.capturedFiles() : []) {
      if (!file.visible || !file.path.startsWith(STATUS_D) || file.path.endsWith('.md5sums')) continue;
      const parsed = parseDpkgStatus(decodeText(file.data, file.path, warnings), file.path, false);
      appendWarnings(warnings, parsed.warnings, file.path);
      for (const record of parsed.records) {
        const sums = files.read(`${file.path}.md5sums`) ?? files.read(`${STATUS_D}${record.name}.md5sums`);
        const owned =
          sums === undefined ? [] : parseMd5sums(decodeText(sums, `${file.path}.md5sums`, warnings));
        add(record, { path: file.path, layer: file.layer }, owned);
      }
    }
    return { packages, warnings, ownedFiles };
  },
};

function toPackage(
  record: DpkgRecord,
  location: { path: string; layer: string },
  vendor: string,
  distro: string | undefined,
  licenses: string[],
): Package {
  const pkg: Package = {
    type: 'deb',
    name: record.name,
    version: record.version,
    purl: formatPurl({
      type: 'deb',
      namespace: vendor,
      name: record.name,
      version: record.version,
      qualifiers: { arch: record.architecture, distro },
    }),
    source: { name: record.sourceName, version: record.sourceVersion },
    licenses,
    locations: [location],
    osOwned: false,
  };
  if (record.architecture) pkg.arch = record.architecture;
  return pkg;
}

/** Every layer's copy of the status database up to the visible one, bottom first. */
function statusSnapshots(files: ImageFiles): DatabaseSnapshot[] {
  // Lower copies only date packages; problems in them were reported for the visible copy or do not matter.
  const unreported: string[] = [];
  return capturedHistory(files, STATUS).map((file) => {
    const records = statusFiles.read(file.data, file.path, unreported);
    return { layer: file.layer, keys: new Set(records.map(keyOf)) };
  });
}

function isFileList(path: string): boolean {
  return path.startsWith(INFO) && path.endsWith('.list');
}

/** usr/share/doc/<package>/copyright, nothing deeper. */
function isCopyright(path: string): boolean {
  return (
    path.startsWith(DOC) &&
    path.endsWith('/copyright') &&
    path.indexOf('/', DOC.length) === path.length - '/copyright'.length
  );
}

function listedFiles(files: ImageFiles, record: DpkgRecord, warnings: string[]): string[] {
  for (const name of [`${record.name}:${record.architecture}`, record.name]) {
    const path = `${INFO}${name}.list`;
    const list = files.read(path);
    if (list !== undefined) return parseFileList(decodeText(list, path, warnings));
  }
  return [];
}

function licensesOf(files: ImageFiles, name: string, warnings: string[]): string[] {
  const path = `${DOC}${name}/copyright`;
  const data = files.read(path);
  return data === undefined ? [] : [...copyrightLicenses.read(data, path, warnings)];
}

/** `md5sums` lines are `<md5>  <path>`; the paths are relative to the root. */
function parseMd5sums(text: string): string[] {
  const paths: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^[0-9a-f]{32} [ *]?(.+)$/.exec(line.trim());
    if (match?.[1]) paths.push(match[1].replace(/^\/+/, ''));
  }
  return paths;
}
