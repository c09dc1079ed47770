import { type FileVisitor, type ImageFiles, scanImage } from '../../../src/image/scan/index.js';
import { type EntrySpec, imageOf, memoryLayer, tar } from '../../scan/support/tar-writer.js';

/** A layer given as its tar entries; a string body is a regular file. */
export type LayerSpec = Record<string, string | Buffer | EntrySpec>;

function specsOf(layer: LayerSpec): EntrySpec[] {
  return Object.entries(layer).map(([name, value]) =>
    typeof value === 'string' || Buffer.isBuffer(value) ? { name, body: value } : { ...value, name },
  );
}

/** Runs the real layer scanner over in-memory layers (bottom first) with the given visitors. */
export async function scanLayers(layers: LayerSpec[], visitors: readonly FileVisitor[]): Promise<ImageFiles> {
  const image = imageOf(layers.map((layer) => memoryLayer(tar(specsOf(layer)))));
  return scanImage(image, visitors, { concurrency: 1 });
}
