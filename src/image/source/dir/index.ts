/**
 * `dir:<path>` — a root file system directory (an unpacked image, a mounted volume, the host)
 * presented as an image of one layer whose tar is generated while it is read.
 *
 * The layer's diffId is synthetic: `sha256("cerana-dir:v1:" + <resolved path>)`, a stable name
 * for "this directory", not the hash of its tar. The directory can change between two scans
 * without its name changing, so the layer is marked `cacheable: false`: the scanner must
 * neither verify its diffId against the stream nor reuse facts cached under it.
 */
import { realpath, stat } from 'node:fs/promises';
import { sha256 } from '../../../common/digest.js';
import { CeranaError } from '../../../common/errors.js';
import { hostPlatform, MediaType } from '../../manifest.js';
import type { Image, ImageConfig, ImageSource, SourceOptions } from '../../types.js';
import { rootfsTar } from './rootfs-tar.js';

export function dirLayerId(root: string): string {
  return sha256(`cerana-dir:v1:${root}`);
}

async function openDirectory(path: string, _options: SourceOptions): Promise<Image> {
  if (path === '') throw new CeranaError('USAGE', 'dir: needs a path');
  const root = await realpath(path).catch(() => {
    throw new CeranaError('NOT_FOUND', `dir: no such directory: ${path}`);
  });
  if (!(await stat(root)).isDirectory()) throw new CeranaError('INPUT', `dir: ${path} is not a directory`);
  const diffId = dirLayerId(root);
  const config: ImageConfig = {
    platform: hostPlatform(),
    user: '',
    env: [],
    entrypoint: [],
    cmd: [],
    workingDir: '',
    exposedPorts: [],
    volumes: [],
    labels: {},
    history: [],
    diffIds: [diffId],
  };
  const configDigest = sha256(JSON.stringify(config));
  return {
    ref: `dir:${root}`,
    digest: configDigest,
    configDigest,
    repoDigests: [],
    platform: config.platform,
    config,
    layers: [
      {
        digest: diffId,
        diffId,
        size: -1,
        mediaType: MediaType.ociLayer,
        cacheable: false,
        open: async () => rootfsTar(root),
      },
    ],
    close: async () => {},
  };
}

export const dirSource: ImageSource = {
  scheme: 'dir',
  open: openDirectory,
};
