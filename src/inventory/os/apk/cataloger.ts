import type { ImageFiles } from '../../../image/scan/index.js';
import type { CatalogContext, Cataloger, CatalogResult } from '../../cataloger.js';
import { capturedHistory, type DatabaseSnapshot, originLayers } from '../../origin-layer.js';
import type { Package } from '../../package.js';
import { formatPurl } from '../../purl.js';
import { appendWarnings, decodeText } from '../../text.js';
import { distroQualifier, vendorOf } from '../distro.js';
import { type ApkRecord, parseApkInstalled } from './installed.js';

const INSTALLED = 'lib/apk/db/installed';
const APK_FAMILIES = ['alpine', 'wolfi', 'chainguard', 'postmarketos'];

const keyOf = (record: ApkRecord): string => `${record.name}\0${record.version}\0${record.architecture}`;

/** Alpine packages from apk's installed database, with the files each one owns. */
export const apkCataloger: Cataloger = {
  name: 'inventory/apk',
  version: 1,

  wants: (path) => (path === INSTALLED ? 'capture' : false),

  catalog(files: ImageFiles, context: CatalogContext): CatalogResult {
    const warnings: string[] = [];
    const data = files.read(INSTALLED);
    if (data === undefined) return { packages: [], warnings };
    const { records, warnings: parseWarnings } = parseApkInstalled(decodeText(data, INSTALLED, warnings));
    appendWarnings(warnings, parseWarnings, INSTALLED);
    const origins = originLayers(snapshots(files));
    const vendor = vendorOf(context.os, APK_FAMILIES, 'alpine');
    const distro = distroQualifier(context.os);
    const packages = records.map((record): Package => {
      const pkg: Package = {
        type: 'apk',
        name: record.name,
        version: record.version,
        purl: formatPurl({
          type: 'apk',
          namespace: vendor,
          name: record.name,
          version: record.version,
          qualifiers: { arch: record.architecture, distro },
        }),
        // An apk's origin is the APKBUILD it came from; both share the version.
        source: { name: record.origin, version: record.version },
        licenses: record.license ? [record.license] : [],
        locations: [{ path: INSTALLED, layer: origins.get(keyOf(record)) ?? '' }],
        osOwned: false,
      };
      if (record.architecture) pkg.arch = record.architecture;
      return pkg;
    });
    return { packages, warnings, ownedFiles: records.flatMap((record) => record.files) };
  },
};

function snapshots(files: ImageFiles): DatabaseSnapshot[] {
  return capturedHistory(files, INSTALLED).map((file) => ({
    layer: file.layer,
    keys: new Set(parseApkInstalled(file.data.toString('utf8')).records.map(keyOf)),
  }));
}
