import type { Fact, ImageFiles, JsonValue } from '../../image/scan/index.js';
import type { Cataloger, CatalogResult } from '../cataloger.js';
import { GoBuildInfoParser } from '../lang/go/buildinfo.js';
import { goPackages } from '../lang/go/packages.js';
import { AuditableParser } from '../lang/rust/auditable.js';
import { rustPackages } from '../lang/rust/packages.js';
import type { Package } from '../package.js';
import { appendAll, messageOf } from '../text.js';
import { feedParsers } from './chunk-parser.js';

const NAME = 'inventory/binaries';
/** Smaller than any ELF binary with a data segment. */
const MIN_BINARY_BYTES = 512;

const GO = 'go-build-info';
const RUST = 'cargo-auditable';

/**
 * Compiled binaries: Go build information and cargo-auditable dependency lists. Every
 * executable file is streamed once through both parsers (each stops reading as soon as it
 * knows); anything that is not an ELF binary costs one look at its first bytes.
 */
export const binaryCataloger: Cataloger = {
  name: NAME,
  version: 1,

  wants: (_path, header) =>
    (header.mode & 0o111) !== 0 && header.size >= MIN_BINARY_BYTES ? 'stream' : false,

  async onStream(file) {
    const go = new GoBuildInfoParser(file.header.size);
    const rust = new AuditableParser(file.header.size);
    await feedParsers(file.body, [go, rust]);
    const facts: Fact[] = [];
    const collect = (kind: string, read: () => unknown) => {
      try {
        const found = read();
        if (found !== undefined) facts.push({ kind, data: { found } as unknown as JsonValue });
      } catch (error) {
        facts.push({ kind, data: { error: messageOf(error) } });
      }
    };
    collect(GO, () => go.result());
    collect(RUST, () => rust.result());
    return facts;
  },

  catalog(files: ImageFiles): CatalogResult {
    const packages: Package[] = [];
    const warnings: string[] = [];
    for (const fact of files.facts(NAME)) {
      const data = fact.data as { found?: unknown; error?: string };
      const location = { path: fact.path, layer: fact.layer };
      const what = fact.kind === GO ? 'Go build information' : 'cargo-auditable data';
      if (data.error !== undefined || data.found === undefined) {
        warnings.push(`${fact.path}: ${what} is damaged: ${data.error ?? 'nothing read'}`);
      } else if (fact.kind === GO) {
        appendAll(packages, goPackages(data.found as Parameters<typeof goPackages>[0], location));
      } else if (fact.kind === RUST) {
        appendAll(packages, rustPackages(data.found as Parameters<typeof rustPackages>[0], location));
      }
    }
    return { packages, warnings };
  },
};
