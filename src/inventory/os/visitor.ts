import type { FileVisitor } from '../../image/scan/index.js';
import { OS_RELEASE_FILES } from './detect.js';

const WANTED = new Set<string>(OS_RELEASE_FILES);

/** Captures the release files OS detection reads. */
export const osReleaseVisitor: FileVisitor = {
  name: 'os-release',
  version: 1,
  wants: (path) => (WANTED.has(path) ? 'capture' : false),
};
