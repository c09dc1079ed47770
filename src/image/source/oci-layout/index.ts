import type { Image, ImageSource, SourceOptions } from '../../types.js';
import { formatLocation, splitLocation } from '../location.js';
import { openLayoutImage } from './resolve.js';
import { DirectoryStore } from './store.js';

/** `oci:<dir>[:<tag>|@<digest>]` — an OCI image layout directory. */
export const ociLayoutSource: ImageSource = {
  scheme: 'oci',
  async open(ref: string, options: SourceOptions): Promise<Image> {
    const location = await splitLocation(ref, 'dir', 'oci');
    const selector = location.digest
      ? { digest: location.digest }
      : location.name
        ? { tag: location.name }
        : {};
    return openLayoutImage(
      new DirectoryStore(location.path),
      selector,
      formatLocation('oci', location),
      options,
    );
  },
};
