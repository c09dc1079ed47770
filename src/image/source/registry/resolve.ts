import { CeranaError } from '../../../common/errors.js';
import { type ImageManifest, selectPlatform } from '../../manifest.js';
import type { Platform } from '../../types.js';
import type { RegistryClient } from './client.js';

/**
 * How many image indexes may sit above the image manifest. Real images use one; OCI allows
 * nesting, but a chain longer than this is hostile. Cycles cannot happen because every
 * document is fetched by a digest it must hash to, so the bound alone ends any chain.
 */
export const MAX_INDEX_DEPTH = 3;

export interface ResolvedManifest {
  manifest: ImageManifest;
  /** Digest of the image manifest. */
  digest: string;
  /** Digest the reference points to: the top index of a multi-platform image, else the manifest's. */
  rootDigest: string;
  /** The platform the index declared for the chosen manifest, when it came from an index. */
  indexPlatform?: Platform;
}

/** Follows a tag or digest through image indexes, choosing by platform, down to one image manifest. */
export async function resolveManifest(
  client: RegistryClient,
  reference: string,
  platform: Platform | undefined,
): Promise<ResolvedManifest> {
  let fetched = await client.getManifest(reference);
  const rootDigest = fetched.digest;
  let indexPlatform: Platform | undefined;
  for (let depth = 0; fetched.document.kind === 'index'; depth++) {
    if (depth >= MAX_INDEX_DEPTH) {
      throw new CeranaError(
        'INPUT',
        `${reference} nests image indexes deeper than ${MAX_INDEX_DEPTH} levels`,
        { hint: 'the registry holds a malformed or hostile index' },
      );
    }
    const chosen = selectPlatform(fetched.document, platform);
    if (chosen.platform) indexPlatform = chosen.platform;
    fetched = await client.getManifest(chosen.digest, chosen.size);
  }
  const resolved: ResolvedManifest = { manifest: fetched.document, digest: fetched.digest, rootDigest };
  if (indexPlatform) resolved.indexPlatform = indexPlatform;
  return resolved;
}
