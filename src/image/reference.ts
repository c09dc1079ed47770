import { CeranaError } from '../common/errors.js';

/** A parsed Docker/OCI image reference, normalized like the Docker CLI does. */
export interface ImageReference {
  /** Registry host[:port]; `docker.io` for Docker Hub. */
  registry: string;
  /** Repository path, with `library/` for official Docker Hub images. */
  repository: string;
  tag?: string;
  digest?: string;
}

const DOCKER_HUB = 'docker.io';
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

function looksLikeHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

export function parseReference(input: string): ImageReference {
  const fail = (why: string): never => {
    throw new CeranaError('USAGE', `invalid image reference ${JSON.stringify(input)}: ${why}`);
  };
  if (input.length === 0 || input.length > 4096) fail('empty or too long');
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) fail('bad digest');
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) fail('bad tag');
  }
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  if (parts.length > 1 && looksLikeHost(parts[0] ?? '')) registry = parts.shift() ?? DOCKER_HUB;
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DOCKER_HUB;
  if (parts.length === 0 || parts.some((part) => !COMPONENT.test(part))) fail('bad repository name');
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  const reference: ImageReference = { registry, repository: parts.join('/') };
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  if (reference.tag === undefined && reference.digest === undefined) reference.tag = 'latest';
  return reference;
}

export function formatReference(reference: ImageReference): string {
  let text = `${reference.registry}/${reference.repository}`;
  if (reference.tag !== undefined) text += `:${reference.tag}`;
  if (reference.digest !== undefined) text += `@${reference.digest}`;
  return text;
}

/** Docker Hub's API host differs from the name users write. */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
}

/** Loopback registries may be reached over plain HTTP; anything else needs --insecure. */
export function isLoopbackHost(registry: string): boolean {
  const host = registry.startsWith('[')
    ? registry.slice(1, registry.indexOf(']'))
    : (registry.split(':')[0] ?? '');
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}
