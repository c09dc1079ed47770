import type { FileEntry, ImageFiles, LayerFacts } from '../../image/scan/index.js';

/** A layer's entry table, as the scanner keeps it (typed columns, paths as UTF-8 bytes). */
export type EntryTable = LayerFacts['entries'];

/**
 * Visible entries of the merged image that pass a filter, bottom layer first. The filter sees
 * the raw entry table (type, mode, path bytes) so most entries are rejected without building an
 * object or decoding a path: on an image of 100,000+ files, walking every entry as an object
 * costs more than the checks themselves.
 */
export function* visibleEntriesWhere(
  files: ImageFiles,
  filter: (table: EntryTable, index: number) => boolean,
): Generator<FileEntry> {
  for (let l = 0; l < files.layers.length; l++) {
    const table = (files.layers[l] as LayerFacts).entries;
    let seen: Set<string> | undefined;
    for (let i = 0; i < table.length; i++) {
      if (!filter(table, i)) continue;
      const path = table.path(i);
      const entry = files.get(path);
      // Visible from this layer; a path listed twice in one tar is yielded once (the last entry wins).
      if (entry === undefined || entry.layerIndex !== l) continue;
      seen ??= new Set();
      if (seen.has(path)) continue;
      seen.add(path);
      yield entry;
    }
  }
}

/** Whether entry `i`'s path starts with the given bytes (no string is decoded). */
export function pathStartsWith(table: EntryTable, i: number, prefix: Buffer): boolean {
  const { pathOffsets, pathBytes } = table.columns;
  const start = pathOffsets[i] as number;
  const end = pathOffsets[i + 1] as number;
  return (
    end - start >= prefix.length &&
    pathBytes.compare(prefix, 0, prefix.length, start, start + prefix.length) === 0
  );
}
