import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CeranaError } from '../../../common/errors.js';

/** What a registry login yields: a password, or an OAuth2 refresh token from `docker login` with SSO. */
export type RegistryCredentials =
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'identity-token'; token: string };

const DOCKER_HUB_CONFIG_KEY = 'https://index.docker.io/v1/';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_HELPER_OUTPUT = 64 * 1024;
const HELPER_TIMEOUT_MS = 30_000;
/** Helper names become part of an executable name; nothing that could walk the file system. */
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

interface DockerConfig {
  auths: Record<string, { auth?: string; identitytoken?: string; username?: string; password?: string }>;
  credHelpers: Record<string, string>;
  credsStore?: string;
}

export function dockerConfigDir(configured?: string): string {
  return configured ?? process.env.DOCKER_CONFIG ?? join(homedir(), '.docker');
}

/** The address Docker files credentials under: Docker Hub keeps its historic v1 URL. */
export function credentialServerAddress(registry: string): string {
  return DOCKER_HUB_ALIASES.has(registry) ? DOCKER_HUB_CONFIG_KEY : registry;
}

/** Config keys may be `host`, `https://host`, `http://host/v2/`...; compare them by host. */
function keyHost(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').split('/')[0] ?? '';
  return DOCKER_HUB_ALIASES.has(host) ? 'docker.io' : host;
}

function lookup<T>(entries: Record<string, T>, registry: string): T | undefined {
  const address = credentialServerAddress(registry);
  if (Object.hasOwn(entries, address)) return entries[address];
  const wanted = keyHost(address);
  const key = Object.keys(entries).find((candidate) => keyHost(candidate) === wanted);
  return key === undefined ? undefined : entries[key];
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

async function readDockerConfig(dir: string): Promise<DockerConfig | undefined> {
  const path = join(dir, 'config.json');
  let text: Buffer;
  try {
    text = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CeranaError('INPUT', `cannot read ${path}: ${(error as Error).message}`);
  }
  if (text.length > MAX_CONFIG_BYTES) throw new CeranaError('INPUT', `${path} is larger than 1 MiB`);
  let doc: Record<string, unknown>;
  try {
    doc = record(JSON.parse(text.toString()));
  } catch (error) {
    throw new CeranaError('INPUT', `${path} is not valid JSON: ${(error as Error).message}`);
  }
  const helpers = Object.fromEntries(
    Object.entries(record(doc.credHelpers)).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
  const config: DockerConfig = {
    auths: record(doc.auths) as DockerConfig['auths'],
    credHelpers: helpers,
  };
  if (typeof doc.credsStore === 'string' && doc.credsStore) config.credsStore = doc.credsStore;
  return config;
}

function fromAuthEntry(
  entry: DockerConfig['auths'][string],
  registry: string,
): RegistryCredentials | undefined {
  const value = record(entry);
  if (typeof value.identitytoken === 'string' && value.identitytoken) {
    return { kind: 'identity-token', token: value.identitytoken };
  }
  if (typeof value.auth === 'string' && value.auth) {
    const decoded = Buffer.from(value.auth, 'base64').toString();
    const colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw new CeranaError('INPUT', `the docker config entry for ${registry} has a malformed "auth" value`, {
        hint: `run docker login ${registry} again`,
      });
    }
    return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof value.username === 'string' && typeof value.password === 'string' && value.username) {
    return { kind: 'basic', username: value.username, password: value.password };
  }
  return undefined;
}

/**
 * Runs `docker-credential-<helper> get` with the server address on stdin, as the Docker CLI does.
 * Returns undefined when the helper has nothing for this registry. Never puts the secret in an error.
 */
export function runCredentialHelper(
  helper: string,
  registry: string,
): Promise<RegistryCredentials | undefined> {
  const executable = `docker-credential-${helper}`;
  if (!HELPER_NAME.test(helper)) {
    return Promise.reject(
      new CeranaError('INPUT', `invalid credential helper name ${JSON.stringify(helper)}`),
    );
  }
  return new Promise((resolve, reject) => {
    const child = execFile(
      executable,
      ['get'],
      { timeout: HELPER_TIMEOUT_MS, maxBuffer: MAX_HELPER_OUTPUT, encoding: 'utf8' },
      (error, stdout) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') {
            reject(
              new CeranaError('AUTH', `credential helper ${executable} is configured but not installed`, {
                hint: 'install it, or remove it from credsStore/credHelpers in the docker config',
              }),
            );
            return;
          }
          // Helpers report failures on stdout; on failure it holds a message, not a secret.
          const message = stdout.trim().split('\n')[0]?.slice(0, 200) ?? '';
          if (/credentials not found/i.test(message)) resolve(undefined);
          else {
            const why = error.killed ? 'timed out' : message || error.message.split('\n')[0];
            reject(new CeranaError('AUTH', `credential helper ${executable} failed: ${why}`));
          }
          return;
        }
        let answer: Record<string, unknown>;
        try {
          answer = record(JSON.parse(stdout));
        } catch {
          reject(new CeranaError('AUTH', `credential helper ${executable} returned malformed output`));
          return;
        }
        const username = typeof answer.Username === 'string' ? answer.Username : '';
        const secret = typeof answer.Secret === 'string' ? answer.Secret : '';
        if (!secret) resolve(undefined);
        // Helpers mark identity tokens with this username (docker/cli's convention).
        else if (username === '<token>') resolve({ kind: 'identity-token', token: secret });
        else resolve({ kind: 'basic', username, password: secret });
      },
    );
    child.stdin?.on('error', () => {});
    child.stdin?.end(credentialServerAddress(registry));
  });
}

/**
 * Credentials for a registry, in Docker's order: a per-registry `credHelpers` entry, else the
 * `credsStore`, else the plain `auths` entry (also when the store has nothing for this registry).
 */
export async function findDockerCredentials(
  registry: string,
  configDir?: string,
): Promise<RegistryCredentials | undefined> {
  const config = await readDockerConfig(dockerConfigDir(configDir));
  if (!config) return undefined;
  const helper = lookup(config.credHelpers, registry) ?? config.credsStore;
  if (helper) {
    const fromHelper = await runCredentialHelper(helper, registry);
    if (fromHelper) return fromHelper;
  }
  const entry = lookup(config.auths, registry);
  return entry === undefined ? undefined : fromAuthEntry(entry, registry);
}
