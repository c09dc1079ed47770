import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type ImageScanResult, scanImageRef } from '../../../src/scan/image-scan.js';
import { exportRootfs, saveImage } from '../../support/images.js';

const run = promisify(execFile);

export interface ImageUnderTest {
  tag: string;
  work: string;
  /** `docker save` of the image (what Trivy and Cerana both read). */
  archive: string;
  /** Parts of the container's root file system, extracted from `docker export`. */
  rootfs: string;
  /** Cerana's scan of the archive. */
  scan: ImageScanResult;
  cleanup(): Promise<void>;
}

/**
 * Saves a built test image, scans it with Cerana (through `docker-archive:`, the whole product
 * path) and extracts the given paths of its exported root file system for the oracles.
 */
export async function prepareImage(tag: string, extract: string[]): Promise<ImageUnderTest> {
  const work = await mkdtemp(join(tmpdir(), 'cerana-inventory-'));
  const archive = join(work, 'image.tar');
  await saveImage(tag, archive);
  const rootfs = join(work, 'rootfs');
  await mkdir(rootfs);
  const exported = join(work, 'rootfs.tar');
  await exportRootfs(tag, exported);
  await run('tar', ['-xf', exported, '-C', rootfs, '--wildcards', '--no-same-owner', ...extract], {
    maxBuffer: 64 * 1024 * 1024,
  });
  await rm(exported);
  const scan = await scanImageRef(`docker-archive:${archive}`, {
    source: { cacheDir: join(work, 'cache') },
    scan: { noCache: true },
  });
  return { tag, work, archive, rootfs, scan, cleanup: () => rm(work, { recursive: true, force: true }) };
}
