import { CeranaError } from '../../common/errors.js';
import type { EntryType, TarHeader } from '../types.js';
import { type EntryColumns, TYPE_DIR, TYPE_FILE, TYPE_HARDLINK, TYPE_SYMLINK } from './entry-table.js';
import { bytesEqual, FNV_OFFSET, fnv, PathIndex } from './path-index.js';
import type { Fact, LayerFacts, ScanStats, SkippedFile } from './types.js';

/** A visible entry of the image file system. */
export interface FileEntry extends TarHeader {
  /** diffId of the layer the entry comes from. */
  layer: string;
  /** Position of that layer, 0 = bottom. */
  layerIndex: number;
}

export interface CapturedFile {
  readonly path: string;
  readonly layer: string;
  readonly layerIndex: number;
  readonly data: Buffer;
  /** False when a later layer deleted or replaced the file (secrets live on in lower layers). */
  readonly visible: boolean;
}

export interface LocatedFact extends Fact {
  path: string;
  layer: string;
  layerIndex: number;
}

export interface LayerSkippedFile extends SkippedFile {
  layer: string;
}

/** Symlink hops before a path is declared a loop (Linux's MAXSYMLINKS). */
export const MAX_SYMLINK_HOPS = 40;

/** A path resolved through the image's links, and the link hops that took. */
interface Resolved {
  readonly path: string;
  readonly hops: number;
}

const ROOT: Resolved = { path: '', hops: 0 };
/** Longest path resolved, in UTF-16 units: Linux's PATH_MAX. */
const PATH_MAX = 4096;
/** Longest directory path whose resolution is remembered (real ones are far shorter). */
const MAX_REMEMBERED_DIR = 512;

const HIDE_SELF = 1;
const HIDE_CHILDREN = 2;

/**
 * The image's file system as the container sees it: layers merged top-down (upper layers hide
 * lower ones; `.wh.` whiteouts delete, `.wh..wh..opq` makes a directory opaque; a non-directory
 * hides whatever a lower layer had below its path, a directory — even one only implied by the
 * paths of a layer's entries — hides a lower non-directory of its name). Links resolve inside the image root only,
 * as under chroot: `..` stops at `/`, absolute targets start from the image root.
 *
 * Paths given to the methods may be written with or without a leading `/`.
 */
export class ImageFiles {
  readonly layers: readonly LayerFacts[];
  readonly stats: ScanStats;
  private readonly bases: number[] = [];
  private readonly layerOf: Uint16Array;
  private readonly visible: Uint8Array[] = [];
  private readonly visibleCounts: number[] = [];
  private readonly index: PathIndex;
  private readonly layerIndexes = new Map<number, PathIndex>();
  /** Where encode() puts the path looked up; a path over PATH_MAX characters gets a buffer of its own. */
  private readonly scratch = Buffer.allocUnsafe(3 * PATH_MAX);
  private readonly factsByVisitor = new Map<string, { all: LocatedFact[]; visible: LocatedFact[] }>();
  private captured: readonly CapturedFile[] | undefined;
  /** Directory paths as written, resolved; null for a symlink loop. */
  private readonly resolvedDirs = new Map<string, Resolved | null>();

  constructor(layers: readonly LayerFacts[], stats: ScanStats) {
    if (layers.length > 0xffff)
      throw new CeranaError('LIMIT', `image has ${layers.length} layers; at most 65535 are supported`);
    this.layers = layers;
    this.stats = stats;
    let total = 0;
    for (const layer of layers) {
      this.bases.push(total);
      total += layer.entries.length;
    }
    this.layerOf = new Uint16Array(total);
    layers.forEach((layer, l) => {
      this.layerOf.fill(l, this.bases[l], (this.bases[l] as number) + layer.entries.length);
    });
    this.index = new PathIndex(total, (gid, bytes, start, end) => this.gidEquals(gid, bytes, start, end));
    this.merge();
  }

  /** Number of visible entries. */
  get size(): number {
    return this.index.size;
  }

  /** Visible entries per layer (bottom first), next to what each layer contains. */
  layerCounts(): { diffId: string; entries: number; visible: number }[] {
    return this.layers.map((layer, l) => ({
      diffId: layer.diffId,
      entries: layer.entries.length,
      visible: this.visibleCounts[l] ?? 0,
    }));
  }

  /** Every visible entry, bottom layer first, in archive order within a layer. */
  *entries(): IterableIterator<FileEntry> {
    for (let l = 0; l < this.layers.length; l++) {
      const visible = this.visible[l] as Uint8Array;
      for (let i = 0; i < visible.length; i++) if (visible[i] === 1) yield this.entryAt(l, i);
    }
  }

  /** Visible entries by type (bottom layer first, in archive order), counted without building them. */
  typeCounts(): Partial<Record<EntryType, number>> {
    const counts: Partial<Record<EntryType, number>> = {};
    for (let l = 0; l < this.layers.length; l++) {
      const visible = this.visible[l] as Uint8Array;
      const entries = (this.layers[l] as LayerFacts).entries;
      for (let i = 0; i < visible.length; i++) {
        if (visible[i] !== 1) continue;
        const type = entries.type(i);
        counts[type] = (counts[type] ?? 0) + 1;
      }
    }
    return counts;
  }

  /** The visible entry at exactly this path (links not followed). */
  get(path: string): FileEntry | undefined {
    const gid = this.findVisible(inRoot(path));
    return gid < 0 ? undefined : this.entryAtGid(gid);
  }

  /**
   * Follows symlinks in every component, inside the image root. Returns the path the argument
   * denotes (which need not exist), or undefined for a symlink loop or a path over PATH_MAX.
   */
  resolve(path: string): string | undefined {
    const slash = path.lastIndexOf('/');
    const dir = slash < 0 ? ROOT : this.resolveDir(path.slice(0, slash));
    if (dir === undefined) return undefined;
    return this.walk(dir, path.slice(slash + 1))?.path;
  }

  /**
   * resolve() for a directory, remembered: for callers that look up many files in few
   * directories (package databases list hundreds of thousands of paths in a few thousand).
   */
  resolveDirectory(dir: string): string | undefined {
    return this.resolveDir(dir)?.path;
  }

  /**
   * A directory path resolved, from its nearest remembered ancestor's resolution: catalogers
   * read thousands of files in a few directories, and each directory is walked once (the image
   * does not change). Long paths are walked each time and not remembered, which keeps a hostile
   * depth from filling memory with every prefix.
   */
  private resolveDir(dir: string): Resolved | undefined {
    if (dir.length > MAX_REMEMBERED_DIR) return this.walk(ROOT, dir);
    const unknown: string[] = [];
    let start: Resolved | null = ROOT;
    for (let at = dir; ; ) {
      const known = this.resolvedDirs.get(at);
      if (known !== undefined) {
        start = known;
        break;
      }
      unknown.push(at);
      const slash = at.lastIndexOf('/');
      if (slash < 0) break;
      at = at.slice(0, slash);
    }
    let resolved = start ?? undefined;
    for (let i = unknown.length - 1; i >= 0; i--) {
      const at = unknown[i] as string;
      if (resolved !== undefined) resolved = this.walk(resolved, at.slice(at.lastIndexOf('/') + 1));
      this.resolvedDirs.set(at, resolved ?? null);
    }
    return resolved;
  }

  /**
   * Resolves `rest` (a relative path) below an already resolved path; undefined for a symlink
   * loop or a path longer than PATH_MAX, which no process in the container could open either
   * (and which would make each step's lookup of the whole path cost more and more).
   */
  private walk(from: Resolved, rest: string): Resolved | undefined {
    let current = from.path;
    const pending = splitReversed(rest);
    let hops = from.hops;
    while (pending.length > 0) {
      const segment = pending.pop() as string;
      if (segment === '' || segment === '.') continue;
      if (segment === '..') {
        current = current.slice(0, Math.max(0, current.lastIndexOf('/')));
        continue;
      }
      const parent = current;
      current = current === '' ? segment : `${current}/${segment}`;
      if (current.length > PATH_MAX) return undefined;
      const gid = this.findVisible(current);
      if (gid < 0 || this.typeOfGid(gid) !== TYPE_SYMLINK) continue;
      if (++hops > MAX_SYMLINK_HOPS) return undefined;
      const target = this.linknameOfGid(gid);
      current = target.startsWith('/') ? '' : parent;
      for (const part of splitReversed(target)) pending.push(part);
    }
    return { path: current, hops };
  }

  /**
   * The entry holding the data the path denotes: symlinks followed, and a hard link replaced by
   * the file it links to (a hard link's own tar entry has no size or content).
   */
  stat(path: string): FileEntry | undefined {
    const location = this.locate(path);
    return location === undefined ? undefined : this.entryAt(location.layer, location.index);
  }

  /** Captured content of the file the path denotes (links followed), if a visitor captured it. */
  read(path: string): Buffer | undefined {
    const location = this.locate(path);
    if (location === undefined || this.typeAt(location.layer, location.index) !== TYPE_FILE) return undefined;
    const layer = this.layers[location.layer] as LayerFacts;
    return layer.captured.get(layer.entries.path(location.index));
  }

  /**
   * Every captured file of every layer, including those a later layer deleted or replaced.
   * Listed once and kept: every cataloger and detector walks this list for its own files.
   */
  capturedFiles(): readonly CapturedFile[] {
    if (this.captured === undefined) {
      const captured: CapturedFile[] = [];
      for (let l = 0; l < this.layers.length; l++) {
        const layer = this.layers[l] as LayerFacts;
        for (const [path, data] of layer.captured) {
          captured.push({
            path,
            layer: layer.diffId,
            layerIndex: l,
            data,
            visible: this.isVisibleIn(path, l),
          });
        }
      }
      this.captured = captured;
    }
    return this.captured;
  }

  /** Facts a visitor produced about files still visible in the image (or all, with includeHidden). */
  facts(visitor: string, options: { includeHidden?: boolean } = {}): readonly LocatedFact[] {
    let cached = this.factsByVisitor.get(visitor);
    if (cached === undefined) {
      const all: LocatedFact[] = [];
      const visible: LocatedFact[] = [];
      this.layers.forEach((layer, l) => {
        for (const fact of layer.facts) {
          if (fact.visitor !== visitor) continue;
          const located = {
            path: fact.path,
            kind: fact.kind,
            data: fact.data,
            layer: layer.diffId,
            layerIndex: l,
          };
          all.push(located);
          if (this.isVisibleIn(fact.path, l)) visible.push(located);
        }
      });
      cached = { all, visible };
      this.factsByVisitor.set(visitor, cached);
    }
    return options.includeHidden ? cached.all : cached.visible;
  }

  /** Warnings raised while reading the layers (bad paths, sparse files, failing visitors). */
  warnings(): string[] {
    return this.layers.flatMap((layer) => layer.warnings);
  }

  /** Files a visitor wanted but that were not captured, and why. */
  skipped(): LayerSkippedFile[] {
    return this.layers.flatMap((layer) => layer.skipped.map((s) => ({ ...s, layer: layer.diffId })));
  }

  private isVisibleIn(path: string, layer: number): boolean {
    const gid = this.findVisible(path);
    return gid >= 0 && this.layerOf[gid] === layer;
  }

  private locate(path: string): { layer: number; index: number } | undefined {
    const resolved = this.resolve(path);
    if (resolved === undefined) return undefined;
    const gid = this.findVisible(resolved);
    if (gid < 0) return undefined;
    let layer = this.layerOf[gid] as number;
    let index = gid - (this.bases[layer] as number);
    // A hard link names an entry as the archive was being applied: one of its own layer or,
    // failing that, one already extracted by a lower layer. Chains are followed, loops are not.
    for (let hops = 0; this.typeAt(layer, index) === TYPE_HARDLINK; hops++) {
      if (hops > MAX_SYMLINK_HOPS) return undefined;
      const target = (this.layers[layer] as LayerFacts).entries.linkname(index);
      const found = this.findInLayerOrBelow(target, layer);
      if (found === undefined) return undefined;
      layer = found.layer;
      index = found.index;
    }
    return { layer, index };
  }

  private findInLayerOrBelow(path: string, top: number): { layer: number; index: number } | undefined {
    const bytes = this.encode(path);
    const hash = fnv(bytes, 0, bytes.length);
    for (let l = top; l >= 0; l--) {
      const index = this.layerIndex(l).find(hash, bytes, 0, bytes.length);
      if (index >= 0) return { layer: l, index };
    }
    return undefined;
  }

  /** Path index of one layer's own entries (last entry wins), built on first need. */
  private layerIndex(l: number): PathIndex {
    let index = this.layerIndexes.get(l);
    if (index === undefined) {
      const c = (this.layers[l] as LayerFacts).entries.columns;
      const equals = (i: number, bytes: Uint8Array, start: number, end: number): boolean =>
        bytesEqual(
          c.pathBytes,
          c.pathOffsets[i] as number,
          c.pathOffsets[i + 1] as number,
          bytes,
          start,
          end,
        );
      const built = new PathIndex(c.count, equals);
      for (let i = c.count - 1; i >= 0; i--) {
        const start = c.pathOffsets[i] as number;
        const end = c.pathOffsets[i + 1] as number;
        const hash = fnv(c.pathBytes, start, end);
        if (built.find(hash, c.pathBytes, start, end) < 0) built.insert(hash, i);
      }
      index = built;
      this.layerIndexes.set(l, index);
    }
    return index;
  }

  private findVisible(path: string): number {
    const bytes = this.encode(path);
    return this.index.find(fnv(bytes, 0, bytes.length), bytes, 0, bytes.length);
  }

  /**
   * A path's UTF-8 bytes to look up, valid until the next call. Lookups run for every path
   * segment resolved and every file read, so they share one buffer.
   */
  private encode(path: string): Uint8Array {
    const scratch = this.scratch;
    if (path.length * 3 > scratch.length) return Buffer.from(path, 'utf8');
    return scratch.subarray(0, scratch.write(path, 'utf8'));
  }

  private gidEquals(gid: number, bytes: Uint8Array, start: number, end: number): boolean {
    const l = this.layerOf[gid] as number;
    const c = (this.layers[l] as LayerFacts).entries.columns;
    const i = gid - (this.bases[l] as number);
    return bytesEqual(
      c.pathBytes,
      c.pathOffsets[i] as number,
      c.pathOffsets[i + 1] as number,
      bytes,
      start,
      end,
    );
  }

  private columnsOfGid(gid: number): { columns: EntryColumns; index: number } {
    const l = this.layerOf[gid] as number;
    return {
      columns: (this.layers[l] as LayerFacts).entries.columns,
      index: gid - (this.bases[l] as number),
    };
  }

  private typeAt(layer: number, index: number): number {
    return (this.layers[layer] as LayerFacts).entries.typeCode(index);
  }

  private typeOfGid(gid: number): number {
    const l = this.layerOf[gid] as number;
    return this.typeAt(l, gid - (this.bases[l] as number));
  }

  private linknameOfGid(gid: number): string {
    const l = this.layerOf[gid] as number;
    return (this.layers[l] as LayerFacts).entries.linkname(gid - (this.bases[l] as number));
  }

  private entryAtGid(gid: number): FileEntry {
    const l = this.layerOf[gid] as number;
    return this.entryAt(l, gid - (this.bases[l] as number));
  }

  private entryAt(l: number, i: number): FileEntry {
    const layer = this.layers[l] as LayerFacts;
    return { ...layer.entries.header(i), layer: layer.diffId, layerIndex: l };
  }

  /**
   * Top-down merge. Each layer is walked last entry first (within a tar the last entry for a
   * path wins); an entry is visible unless its path is already taken, an upper layer whited it
   * out, it is a non-directory where an upper layer has a directory (listed or implied by the
   * paths below it), or one of its ancestors is hidden from it: whited out, made opaque, or
   * replaced by a non-directory in an upper layer. Ancestor checks hash each path once (FNV is incremental)
   * and are skipped while consecutive entries share a parent, which is how tars are ordered.
   */
  private merge(): void {
    const layers = this.layers;
    const barriers = new BarrierSet();
    const impliedDirs = new ImpliedDirs((gid) => this.columnsOfGid(gid));
    let everythingBelowHidden = false;
    for (let l = layers.length - 1; l >= 0; l--) {
      const layer = layers[l] as LayerFacts;
      const c = layer.entries.columns;
      const visible = new Uint8Array(c.count);
      this.visible[l] = visible;
      this.visibleCounts[l] = 0;
      if (everythingBelowHidden) continue;
      const bytes = c.pathBytes;
      const offsets = c.pathOffsets;
      const types = c.types;
      const base = this.bases[l] as number;
      const isTop = l === layers.length - 1;
      const newBarriers: string[] = [];
      let parentStart = -1;
      let parentEnd = -1;
      let parentHidden = false;
      let count = 0;

      for (let i = c.count - 1; i >= 0; i--) {
        const start = offsets[i] as number;
        const end = offsets[i + 1] as number;
        const hash = fnv(bytes, start, end);
        const isDir = types[i] === TYPE_DIR;
        if (this.index.find(hash, bytes, start, end) >= 0) {
          // Shadowed, but a non-directory still removed whatever lower layers had below it.
          if (!isDir) newBarriers.push(layer.entries.path(i));
          continue;
        }
        if (!isTop) {
          if (barriers.size > 0 && (barriers.flags(hash, bytes, start, end) & HIDE_SELF) !== 0) continue;
          // An upper layer has entries below this path, so there it is a directory.
          if (!isDir && impliedDirs.has(hash, bytes, start, end)) {
            newBarriers.push(layer.entries.path(i));
            continue;
          }
          let slash = end - 1;
          while (slash >= start && bytes[slash] !== 0x2f) slash--;
          if (slash >= start) {
            if (!bytesEqual(bytes, start, slash, bytes, parentStart, parentEnd)) {
              parentStart = start;
              parentEnd = slash;
              parentHidden = this.ancestorHidden(bytes, start, slash, l, barriers);
            }
            if (parentHidden) {
              if (!isDir) newBarriers.push(layer.entries.path(i));
              continue;
            }
          }
        }
        this.index.insert(hash, base + i);
        visible[i] = 1;
        count++;
      }
      this.visibleCounts[l] = count;

      if (l > 0) impliedDirs.addParentsOf(c, base);
      for (const path of layer.whiteouts) barriers.add(path, HIDE_SELF | HIDE_CHILDREN);
      for (const path of newBarriers) barriers.add(path, HIDE_CHILDREN);
      for (const dir of layer.opaqueDirs) {
        if (dir === '') everythingBelowHidden = true;
        else barriers.add(dir, HIDE_CHILDREN);
      }
    }
  }

  /** Whether any ancestor of the path `bytes[start..slash]/…` hides lower content from layer l. */
  private ancestorHidden(
    bytes: Uint8Array,
    start: number,
    slash: number,
    l: number,
    barriers: BarrierSet,
  ): boolean {
    let hash = FNV_OFFSET;
    for (let p = start; p <= slash; p++) {
      const b = bytes[p] as number;
      if (b === 0x2f) {
        const gid = this.index.find(hash, bytes, start, p);
        if (gid >= 0 && (this.layerOf[gid] as number) > l && this.typeOfGid(gid) !== TYPE_DIR) return true;
        if (barriers.size > 0 && (barriers.flags(hash, bytes, start, p) & HIDE_CHILDREN) !== 0) return true;
      }
      hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
    }
    return false;
  }
}

/**
 * The directories a layer implies by the paths of its entries (`a/b/c` implies `a` and `a/b`,
 * listed or not). A layer is extracted into an empty directory, so there they are real
 * directories, and a lower layer's non-directory of the same name is hidden (overlay2 merges
 * directories only with directories). A prefix is stored as the entry it was seen in and its
 * length; consecutive entries usually share a parent, which is then added once.
 */
class ImpliedDirs {
  private readonly gids: number[] = [];
  private readonly lengths: number[] = [];
  private readonly index = new PathIndex(1024, (ref, bytes, start, end) => {
    const { columns, index } = this.owner(this.gids[ref] as number);
    const from = columns.pathOffsets[index] as number;
    return bytesEqual(columns.pathBytes, from, from + (this.lengths[ref] as number), bytes, start, end);
  });

  constructor(private readonly owner: (gid: number) => { columns: EntryColumns; index: number }) {}

  has(hash: number, bytes: Uint8Array, start: number, end: number): boolean {
    return this.index.size > 0 && this.index.find(hash, bytes, start, end) >= 0;
  }

  /** Adds the parent directories of every entry of one layer (entries `base + i`). */
  addParentsOf(c: EntryColumns, base: number): void {
    const bytes = c.pathBytes;
    let lastStart = -1;
    let lastEnd = -1;
    for (let i = 0; i < c.count; i++) {
      const start = c.pathOffsets[i] as number;
      let slash = (c.pathOffsets[i + 1] as number) - 1;
      while (slash >= start && bytes[slash] !== 0x2f) slash--;
      if (slash < start || bytesEqual(bytes, start, slash, bytes, lastStart, lastEnd)) continue;
      lastStart = start;
      lastEnd = slash;
      let hash = FNV_OFFSET;
      for (let p = start; p <= slash; p++) {
        const b = bytes[p] as number;
        if (b === 0x2f && this.index.find(hash, bytes, start, p) < 0) {
          this.gids.push(base + i);
          this.lengths.push(p - start);
          this.index.insert(hash, this.gids.length - 1);
        }
        hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
      }
    }
  }
}

/** Paths that hide lower-layer content, with what they hide. Few per image: kept simply. */
class BarrierSet {
  private bytes = Buffer.alloc(4096);
  private used = 0;
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly kinds: number[] = [];
  private readonly index = new PathIndex(16, (ref, bytes, start, end) =>
    bytesEqual(this.bytes, this.starts[ref] as number, this.ends[ref] as number, bytes, start, end),
  );

  get size(): number {
    return this.kinds.length;
  }

  flags(hash: number, bytes: Uint8Array, start: number, end: number): number {
    const ref = this.index.find(hash, bytes, start, end);
    return ref < 0 ? 0 : (this.kinds[ref] as number);
  }

  add(path: string, kind: number): void {
    const encoded = Buffer.from(path, 'utf8');
    const hash = fnv(encoded, 0, encoded.length);
    const existing = this.index.find(hash, encoded, 0, encoded.length);
    if (existing >= 0) {
      this.kinds[existing] = (this.kinds[existing] as number) | kind;
      return;
    }
    if (this.used + encoded.length > this.bytes.length) {
      const grown = Buffer.alloc(Math.max(this.bytes.length * 2, this.used + encoded.length));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    encoded.copy(this.bytes, this.used);
    this.starts.push(this.used);
    this.ends.push(this.used + encoded.length);
    this.used += encoded.length;
    this.kinds.push(kind);
    this.index.insert(hash, this.kinds.length - 1);
  }
}

/** A path given by a caller, made relative to the root with `..` stopping at the root. */
function inRoot(path: string): string {
  const resolved: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') resolved.pop();
    else resolved.push(segment);
  }
  return resolved.join('/');
}

function splitReversed(path: string): string[] {
  return path.split('/').reverse();
}
