import { basename } from 'node:path';

export type ConfigType = 'dockerfile' | 'kubernetes' | 'compose' | 'docker-daemon' | 'docker-inspect';

export const CONFIG_TYPES: readonly ConfigType[] = [
  'dockerfile',
  'kubernetes',
  'compose',
  'docker-daemon',
  'docker-inspect',
];

/** Compose file names Docker Compose looks for, base files first, then overrides. */
const COMPOSE_NAME = /^(docker-)?compose(\.[\w-]+)?\.ya?ml$/i;

/** Decides a file's type from its name, then from its content; undefined for files we do not scan. */
export function detectType(path: string, text: string): ConfigType | undefined {
  const name = basename(path);
  if (/^(Dockerfile|Containerfile)(\..+)?$/i.test(name) || /\.(dockerfile|containerfile)$/i.test(name))
    return 'dockerfile';
  if (COMPOSE_NAME.test(name)) return 'compose';
  if (name === 'daemon.json' || name === 'docker.service' || /^dockerd?(\.flags|\.conf)?$/.test(name))
    return 'docker-daemon';
  if (/\.json$/i.test(name) && /^\s*\[\s*\{/.test(text) && text.includes('"HostConfig"'))
    return 'docker-inspect';
  if (/\.(ya?ml|json)$/i.test(name)) {
    if (/^\s*["']?apiVersion["']?\s*:/m.test(text) && /^\s*["']?kind["']?\s*:/m.test(text))
      return 'kubernetes';
    if (/^services\s*:/m.test(text)) return 'compose';
  }
  return undefined;
}

/** Order of Compose files in one directory: base file first, overrides after, like `docker compose`. */
export function composeOrder(a: string, b: string): number {
  const rank = (p: string) => (/override/i.test(basename(p)) ? 1 : 0);
  return rank(a) - rank(b) || a.localeCompare(b);
}
