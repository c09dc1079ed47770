import type { Image, ImageSource, SourceOptions } from '../../types.js';
import { ArchiveIndex } from '../archive-index.js';
import { formatLocation, splitLocation } from '../location.js';
import { openLayoutImage } from '../oci-layout/resolve.js';
import { ArchiveStore } from '../oci-layout/store.js';

/** `oci-archive:<file.tar>[:<tag>|@<digest>]` — a tar of an OCI image layout, read in place. */
export const ociArchiveSource: ImageSource = {
  scheme: 'oci-archive',
  async open(ref: string, options: SourceOptions): Promise<Image> {
    const location = await splitLocation(ref, 'file', 'oci-archive');
    const selector = location.digest
      ? { digest: location.digest }
      : location.name
        ? { tag: location.name }
        : {};
    const store = new ArchiveStore(await ArchiveIndex.open(location.path));
    return openLayoutImage(store, selector, formatLocation('oci-archive', location), options);
  },
};
