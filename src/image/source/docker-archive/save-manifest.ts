/**
 * `manifest.json` of a `docker save` archive: one item per image, naming its config and layer
 * files by path inside the archive. Legacy archives name them `<hex>.json` and `<id>/layer.tar`;
 * Docker 25+ names `blobs/sha256/<hex>` of the OCI layout it writes alongside.
 */
import { CeranaError } from '../../../common/errors.js';
import { MAX_DOCUMENT_BYTES } from '../../manifest.js';
import { formatReference, parseReference } from '../../reference.js';

export interface SaveItem {
  config: string;
  repoTags: string[];
  layers: string[];
}

function invalid(why: string): never {
  throw new CeranaError('INPUT', `invalid manifest.json in docker archive: ${why}`, {
    hint: 'the archive is not a docker save archive or is damaged',
  });
}

export function parseSaveManifest(bytes: Buffer): SaveItem[] {
  if (bytes.length > MAX_DOCUMENT_BYTES) invalid(`larger than ${MAX_DOCUMENT_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return invalid((error as Error).message);
  }
  if (!Array.isArray(doc)) invalid('not a JSON array');
  if (doc.length === 0) invalid('it lists no image');
  return doc.map((item: unknown, i): SaveItem => {
    if (typeof item !== 'object' || item === null) invalid(`item ${i} is not an object`);
    const { Config, RepoTags, Layers } = item as Record<string, unknown>;
    if (typeof Config !== 'string' || Config === '') invalid(`item ${i} has no Config`);
    if (!Array.isArray(Layers) || Layers.some((layer) => typeof layer !== 'string')) {
      invalid(`item ${i} has no valid Layers`);
    }
    const tags = Array.isArray(RepoTags) ? RepoTags.filter((t): t is string => typeof t === 'string') : [];
    return { config: Config, repoTags: tags, layers: Layers as string[] };
  });
}

function normalizedName(name: string): string {
  try {
    return formatReference(parseReference(name));
  } catch {
    return name;
  }
}

/** Picks the image named `name` (any spelling Docker accepts), or the only one. */
export function selectSaveItem(items: SaveItem[], name: string | undefined, archive: string): SaveItem {
  if (name === undefined) {
    if (items.length === 1) return items[0] as SaveItem;
    throw new CeranaError('USAGE', `docker archive ${archive} holds ${items.length} images`, {
      hint: `choose one with docker-archive:${archive}:<tag>; available: ${availableTags(items)}`,
    });
  }
  const wanted = normalizedName(name);
  const match = items.find((item) => item.repoTags.some((tag) => normalizedName(tag) === wanted));
  if (match) return match;
  throw new CeranaError('NOT_FOUND', `no image tagged ${JSON.stringify(name)} in docker archive ${archive}`, {
    hint: `available: ${availableTags(items)}`,
  });
}

function availableTags(items: SaveItem[]): string {
  const tags = items.flatMap((item) => (item.repoTags.length > 0 ? item.repoTags : ['<untagged>']));
  return [...new Set(tags)].sort().join(', ');
}
