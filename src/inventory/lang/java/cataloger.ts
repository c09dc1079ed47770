import type { ImageFiles, JsonValue } from '../../../image/scan/index.js';
import type { Cataloger, CatalogResult } from '../../cataloger.js';
import type { Package } from '../../package.js';
import { formatPurl } from '../../purl.js';
import { limitWarnings, messageOf } from '../../text.js';
import { inspectJavaArchive, isJavaArchive, type JavaArchiveReport } from './archive.js';

const NAME = 'inventory/java';

/**
 * Java archives (jar, war, ear and kin), read while they stream past, nested archives included
 * to a bounded depth: Maven artifacts from `pom.properties`, else from the manifest.
 */
export const javaCataloger: Cataloger = {
  name: NAME,
  version: 1,

  wants: (path) => (isJavaArchive(path) ? 'stream' : false),

  async onStream(file) {
    let report: JavaArchiveReport;
    try {
      const found = await inspectJavaArchive(file.body, file.path.slice(file.path.lastIndexOf('/') + 1));
      report = { artifacts: found.artifacts, warnings: limitWarnings(found.warnings) };
    } catch (error) {
      report = { artifacts: [], warnings: [messageOf(error)] };
    }
    return [{ kind: 'java-archive', data: report as unknown as JsonValue }];
  },

  catalog(files: ImageFiles): CatalogResult {
    const packages: Package[] = [];
    const warnings: string[] = [];
    for (const fact of files.facts(NAME)) {
      const report = fact.data as unknown as JavaArchiveReport;
      for (const warning of report.warnings) warnings.push(`${fact.path}: ${warning}`);
      for (const artifact of report.artifacts) {
        packages.push({
          type: 'maven',
          name: `${artifact.groupId}:${artifact.artifactId}`,
          version: artifact.version,
          purl: formatPurl({
            type: 'maven',
            namespace: artifact.groupId,
            name: artifact.artifactId,
            version: artifact.version,
          }),
          licenses: [],
          locations: [{ path: fact.path, layer: fact.layer }],
          osOwned: false,
        });
      }
    }
    return { packages, warnings };
  },
};
