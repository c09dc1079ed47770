import type { ImageFiles, JsonValue } from '../../../image/scan/index.js';
import type { Cataloger, CatalogResult } from '../../cataloger.js';
import type { Package } from '../../package.js';
import { formatPurl } from '../../purl.js';
import { messageOf } from '../../text.js';
import { type AuditablePackage, readAuditable } from './auditable.js';

const NAME = 'inventory/rust';
const MIN_BINARY_BYTES = 512;

interface RustFact {
  packages?: AuditablePackage[];
  error?: string;
}

/**
 * Rust binaries built with cargo-auditable: every crate compiled into the binary (the `.dep-v0`
 * list without its build-time-only entries: build scripts and proc macros are not in the binary).
 */
export const rustCataloger: Cataloger = {
  name: NAME,
  version: 1,

  wants: (_path, header) =>
    (header.mode & 0o111) !== 0 && header.size >= MIN_BINARY_BYTES ? 'stream' : false,

  async onStream(file) {
    let fact: RustFact;
    try {
      const packages = await readAuditable(file.body, file.header.size);
      if (packages === undefined) return [];
      fact = { packages };
    } catch (error) {
      fact = { error: messageOf(error) };
    }
    return [{ kind: 'cargo-auditable', data: fact as unknown as JsonValue }];
  },

  catalog(files: ImageFiles): CatalogResult {
    const packages: Package[] = [];
    const warnings: string[] = [];
    for (const fact of files.facts(NAME)) {
      const data = fact.data as unknown as RustFact;
      if (data.error !== undefined || data.packages === undefined) {
        warnings.push(`${fact.path}: cargo-auditable data is damaged: ${data.error ?? 'no packages'}`);
        continue;
      }
      for (const crate of data.packages) {
        if (crate.kind === 'build') continue;
        packages.push({
          type: 'cargo',
          name: crate.name,
          version: crate.version,
          purl: formatPurl({ type: 'cargo', name: crate.name, version: crate.version }),
          licenses: [],
          locations: [{ path: fact.path, layer: fact.layer }],
          osOwned: false,
        });
      }
    }
    return { packages, warnings };
  },
};
