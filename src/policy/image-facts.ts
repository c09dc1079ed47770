import type { ScanDocument } from './scan-document.js';

/** Labels that tell the risk score and the fix plan how much an image matters. */
export const EXPOSURE_LABEL = 'cerana.io/exposure';
export const CRITICALITY_LABEL = 'cerana.io/criticality';
export const BASE_NAME_LABEL = 'org.opencontainers.image.base.name';
export const BASE_DIGEST_LABEL = 'org.opencontainers.image.base.digest';

export interface ImageFacts {
  ref: string;
  /** The reference without tag or digest. */
  repository: string;
  labels: Record<string, string>;
  user: string;
  /** No USER, or USER root / 0: processes run as root unless the runtime says otherwise. */
  runsAsRoot: boolean;
  exposure: string;
  criticality: string;
  baseImage?: string;
  /** The base image is named by digest (label or `@sha256:` in its name). */
  basePinned: boolean;
}

/** Transports a reference may name (see image/source); the repository is what follows. */
const TRANSPORT = /^(docker|registry|oci|oci-archive|docker-archive|dir|sbom):(\/\/)?/;

export function repositoryOf(ref: string): string {
  const bare = ref.replace(TRANSPORT, '');
  const at = bare.indexOf('@');
  const noDigest = at >= 0 ? bare.slice(0, at) : bare;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

export function isRootUser(user: string): boolean {
  const name = user.split(':')[0]?.trim() ?? '';
  return name === '' || name === 'root' || name === '0';
}

export function imageFacts(doc: ScanDocument, overrides: Record<string, string> = {}): ImageFacts {
  const labels = { ...(doc.config?.labels ?? {}), ...overrides };
  const user = doc.config?.user ?? '';
  const baseImage = labels[BASE_NAME_LABEL];
  const facts: ImageFacts = {
    ref: doc.artifact.ref,
    repository: repositoryOf(doc.artifact.ref),
    labels,
    user,
    runsAsRoot: isRootUser(user),
    exposure: (labels[EXPOSURE_LABEL] ?? 'unknown').toLowerCase(),
    criticality: (labels[CRITICALITY_LABEL] ?? 'unknown').toLowerCase(),
    basePinned:
      (labels[BASE_DIGEST_LABEL] ?? '').startsWith('sha256:') || (baseImage ?? '').includes('@sha256:'),
  };
  if (baseImage) facts.baseImage = baseImage;
  return facts;
}

/**
 * How many bottom layers came from the base image, from the history alone: the leading run of
 * layers a base image is made of (a root file system ADDed from a tarball, and the steps up to
 * the first one that copies the application in). `plan` refines this across a fleet with the
 * diffID prefix images of the same base share.
 */
export function baseLayerCountFromHistory(layers: NonNullable<ScanDocument['layers']>): number {
  const first = layers[0]?.createdBy ?? '';
  if (!/ADD file:|ADD --[^ ]* file:|^\/bin\/sh -c #\(nop\) ADD file/.test(first)) return 0;
  return 1;
}
