/**
 * One entry point for every image reference:
 *   docker:<name|id>                  the local Docker daemon
 *   docker-archive:<file>[:<tag>]     a `docker save` tar (legacy or Docker 25+ layout)
 *   oci:<dir>[:<tag>|@<digest>]       an OCI image layout directory
 *   oci-archive:<file>[:<tag>|@<digest>]
 *   registry:<reference>              an OCI distribution registry
 *   dir:<path>                        a root file system directory
 *   <reference>                       the daemon if it has the image, else the registry (as Trivy does)
 */
import { CeranaError, isCeranaError } from '../../common/errors.js';
import type { Image, ImageSource, SourceOptions } from '../types.js';
import { dirSource } from './dir/index.js';
import { dockerArchiveSource } from './docker-archive/index.js';
import { dockerDaemonSource } from './docker-daemon/index.js';
import { ociArchiveSource } from './oci-archive/index.js';
import { ociLayoutSource } from './oci-layout/index.js';

export const SCHEMES = ['docker-archive', 'oci-archive', 'docker', 'oci', 'registry', 'dir'] as const;
export type Scheme = (typeof SCHEMES)[number];

/** Schemes whose remainder is an image reference; `registry:5000/app` is a host and port, not a scheme. */
const REFERENCE_SCHEMES = new Set<Scheme>(['docker', 'registry']);

export interface SchemeRef {
  scheme: Scheme | undefined;
  rest: string;
}

export function splitScheme(ref: string): SchemeRef {
  for (const scheme of SCHEMES) {
    if (!ref.startsWith(`${scheme}:`)) continue;
    const rest = ref.slice(scheme.length + 1);
    if (REFERENCE_SCHEMES.has(scheme) && /^\d+(?:\/|$)/.test(rest)) break;
    return { scheme, rest };
  }
  return { scheme: undefined, rest: ref };
}

/** The registry source is loaded on demand: local scans never pay for its HTTP and auth stack. */
async function registrySource(): Promise<ImageSource> {
  return (await import('./registry/index.js')).registrySource;
}

async function sourceFor(scheme: Scheme): Promise<ImageSource> {
  switch (scheme) {
    case 'docker':
      return dockerDaemonSource;
    case 'docker-archive':
      return dockerArchiveSource;
    case 'oci':
      return ociLayoutSource;
    case 'oci-archive':
      return ociArchiveSource;
    case 'dir':
      return dirSource;
    case 'registry':
      return registrySource();
  }
}

/** Daemon answers that mean "not here", so the registry gets its turn. */
function daemonLacksImage(error: unknown): error is CeranaError {
  return isCeranaError(error) && ['NOT_FOUND', 'NETWORK', 'UNSUPPORTED'].includes(error.code);
}

export async function openImage(ref: string, options: SourceOptions): Promise<Image> {
  const { scheme, rest } = splitScheme(ref);
  if (scheme) return (await sourceFor(scheme)).open(rest, options);
  try {
    return await dockerDaemonSource.open(ref, options);
  } catch (daemonError) {
    if (!daemonLacksImage(daemonError)) throw daemonError;
    try {
      return await (await registrySource()).open(ref, options);
    } catch (registryError) {
      if (!isCeranaError(registryError)) throw registryError;
      throw new CeranaError(
        registryError.code,
        `${registryError.message}; local Docker daemon: ${daemonError.message}`,
        {
          ...(registryError.hint ? { hint: registryError.hint } : {}),
          cause: registryError,
        },
      );
    }
  }
}
