import type { CapturedFile, ImageFiles } from '../image/scan/index.js';

/** One layer's copy of a package database: the packages (by a stable key) it lists. */
export interface DatabaseSnapshot {
  layer: string;
  keys: ReadonlySet<string>;
}

/**
 * The layer that installed each package of the image's package database. Every layer that
 * changed the database carries a full copy of it (bottom layer first here, the visible copy
 * last); a package's layer is the lowest one from which every later copy still lists it with
 * the same key (name, version, arch), so an upgrade counts as a new installation.
 */
export function originLayers(snapshots: readonly DatabaseSnapshot[]): Map<string, string> {
  const origins = new Map<string, string>();
  const top = snapshots[snapshots.length - 1];
  if (top === undefined) return origins;
  let alive = new Set<string>();
  for (const key of top.keys) {
    origins.set(key, top.layer);
    alive.add(key);
  }
  for (let i = snapshots.length - 2; i >= 0 && alive.size > 0; i--) {
    const snapshot = snapshots[i] as DatabaseSnapshot;
    const still = new Set<string>();
    for (const key of alive) {
      if (!snapshot.keys.has(key)) continue;
      origins.set(key, snapshot.layer);
      still.add(key);
    }
    alive = still;
  }
  return origins;
}

/**
 * Every layer's captured copy of a file, bottom first, up to the visible one (copies above it
 * were deleted by a later layer and say nothing about the image). Empty when none is visible.
 */
export function capturedHistory(files: ImageFiles, path: string): CapturedFile[] {
  const visible = files.get(path);
  if (visible === undefined) return [];
  const copies: CapturedFile[] = [];
  for (let l = 0; l <= visible.layerIndex; l++) {
    const layer = files.layers[l];
    const data = layer?.captured.get(path);
    if (layer === undefined || data === undefined) continue;
    copies.push({ path, layer: layer.diffId, layerIndex: l, data, visible: l === visible.layerIndex });
  }
  return copies[copies.length - 1]?.visible ? copies : [];
}
