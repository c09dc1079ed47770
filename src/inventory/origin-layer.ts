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
  const copies = [...files.capturedFiles()].filter((file) => file.path === path);
  const visible = copies.find((file) => file.visible);
  if (visible === undefined) return [];
  return copies
    .filter((file) => file.layerIndex <= visible.layerIndex)
    .sort((a, b) => a.layerIndex - b.layerIndex);
}
