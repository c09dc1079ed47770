import { CeranaError } from '../common/errors.js';
import { parsePlatform } from '../image/manifest.js';
import type { SourceOptions } from '../image/types.js';
import { type CommandIo, flag, type OptionSpec, type ParsedArgs, stringOption } from './command.js';
import { defaultCacheDir } from './defaults.js';
import { progressFor } from './progress.js';
import { readSecretFromStdin } from './stdin.js';

/** The flags of every command that opens an image: where it comes from and how it is read. */
export const SOURCE_OPTIONS: OptionSpec = {
  platform: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  insecure: { type: 'boolean' },
  'cache-dir': { type: 'string' },
  'no-cache': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
};

export const REFERENCE_USAGE = `References: docker:<name>, docker-archive:<file>[:tag], oci:<dir>[:tag|@digest],
oci-archive:<file>[:tag], registry:<name>, dir:<path>, or a bare name (daemon, then registry).`;

export const SOURCE_USAGE = `  --platform os/arch[/var]  platform to pick from a multi-platform image
  --username U              registry user name
  --password P              registry password (prefer --password-stdin)
  --password-stdin          read the registry password from standard input
  --insecure                allow plain HTTP / unverified TLS for non-loopback registries
  --cache-dir DIR           cache directory (default ~/.cache/cerana)
  --no-cache                neither read nor write the layer cache
  -q, --quiet               no progress output`;

/** Registry access from `--username`, `--password`/`--password-stdin` and `--insecure`. */
export async function registryAccessFromFlags(
  parsed: ParsedArgs,
  io: CommandIo,
): Promise<Pick<SourceOptions, 'credentials' | 'insecure'>> {
  const username = stringOption(parsed, 'username');
  let password = stringOption(parsed, 'password');
  if (flag(parsed, 'password-stdin')) {
    if (password !== undefined)
      throw new CeranaError('USAGE', '--password and --password-stdin are exclusive');
    password = await readSecretFromStdin(io.stdin);
  }
  if ((username === undefined) !== (password === undefined)) {
    throw new CeranaError(
      'USAGE',
      '--username needs a password (--password or --password-stdin) and the reverse',
    );
  }
  return {
    ...(username !== undefined && password !== undefined ? { credentials: { username, password } } : {}),
    ...(flag(parsed, 'insecure') ? { insecure: true } : {}),
  };
}

/** The source options the flags ask for (the password read from stdin when asked to). */
export async function sourceFromFlags(
  parsed: ParsedArgs,
  io: CommandIo,
): Promise<{ source: SourceOptions; noCache: boolean; quiet: boolean }> {
  const source: SourceOptions = { cacheDir: stringOption(parsed, 'cache-dir') ?? defaultCacheDir() };
  const platform = stringOption(parsed, 'platform');
  if (platform) source.platform = parsePlatform(platform);
  Object.assign(source, await registryAccessFromFlags(parsed, io));
  const quiet = flag(parsed, 'quiet');
  const progress = progressFor(io.interactive, quiet, io.stderr);
  if (progress) source.progress = progress;
  return { source, noCache: flag(parsed, 'no-cache'), quiet };
}

/** The one image reference a command takes. */
export function singleReference(command: string, parsed: ParsedArgs): string {
  const [ref, ...extra] = parsed.positionals;
  if (!ref || extra.length > 0) {
    throw new CeranaError('USAGE', `${command}: expected exactly one image reference`, {
      hint: `see 'cerana ${command} --help'`,
    });
  }
  return ref;
}
