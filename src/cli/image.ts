import { CeranaError } from '../common/errors.js';
import { parsePlatform } from '../image/manifest.js';
import type { SourceOptions } from '../image/types.js';
import { renderImageTable } from '../report/image-table.js';
import { scanImageRef } from '../scan/image-scan.js';
import {
  type Command,
  choiceOption,
  flag,
  type OptionSpec,
  parseCommandArgs,
  stringOption,
} from './command.js';
import { defaultCacheDir } from './defaults.js';
import { progressFor } from './progress.js';
import { readSecretFromStdin } from './stdin.js';

const OPTIONS: OptionSpec = {
  format: { type: 'string', short: 'f' },
  platform: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  insecure: { type: 'boolean' },
  'cache-dir': { type: 'string' },
  'no-cache': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
};

export const imageCommand: Command = {
  name: 'image',
  summary: 'Scan a container image and print the report',
  usage: `Usage: cerana image <ref> [options]

References: docker:<name>, docker-archive:<file>[:tag], oci:<dir>[:tag|@digest],
oci-archive:<file>[:tag], registry:<name>, dir:<path>, or a bare name (daemon, then registry).

Options:
  -f, --format table|json   output format (default table)
  --platform os/arch[/var]  platform to pick from a multi-platform image
  --username U              registry user name
  --password P              registry password (prefer --password-stdin)
  --password-stdin          read the registry password from standard input
  --insecure                allow plain HTTP / unverified TLS for non-loopback registries
  --cache-dir DIR           cache directory (default ~/.cache/cerana)
  --no-cache                neither read nor write the layer cache
  -q, --quiet               no progress output`,

  async run(args, io) {
    const parsed = parseCommandArgs('image', args, OPTIONS);
    const [ref, ...extra] = parsed.positionals;
    if (!ref || extra.length > 0) {
      throw new CeranaError('USAGE', 'image: expected exactly one image reference', {
        hint: "see 'cerana image --help'",
      });
    }
    const format = choiceOption(parsed, 'format', ['table', 'json'] as const, 'table');
    const source: SourceOptions = { cacheDir: stringOption(parsed, 'cache-dir') ?? defaultCacheDir() };
    const platform = stringOption(parsed, 'platform');
    if (platform) source.platform = parsePlatform(platform);
    if (flag(parsed, 'insecure')) source.insecure = true;
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
    if (username !== undefined && password !== undefined) source.credentials = { username, password };
    const progress = progressFor(io.interactive, flag(parsed, 'quiet'), io.stderr);
    if (progress) source.progress = progress;

    const result = await scanImageRef(ref, { source, scan: { noCache: flag(parsed, 'no-cache') } });
    io.stdout.write(format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : renderImageTable(result));
    return 0;
  },
};
