import { CeranaError } from '../common/errors.js';
import { alignColumns } from '../common/text-table.js';
import type { ProgressSink } from '../image/types.js';
import {
  type ArtifactCompression,
  type DatabaseStatus,
  databaseStatus,
  defaultDatabasePath,
  importDatabase,
  pullDatabase,
  pushDatabase,
  type UpdateProgress,
  type UpdateResult,
  updateDatabase,
} from '../vuln/db/index.js';
import {
  type Command,
  type CommandIo,
  choiceOption,
  flag,
  type OptionSpec,
  type ParsedArgs,
  parseCommandArgs,
  stringOption,
} from './command.js';
import { progressFor } from './progress.js';
import { registryAccessFromFlags } from './source-flags.js';

const COMMON: OptionSpec = {
  db: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
};
const REGISTRY: OptionSpec = {
  username: { type: 'string' },
  password: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  insecure: { type: 'boolean' },
};

const USAGE = `Usage: cerana db <update|import|status|push|pull> [options]

  cerana db update [--source URL|DIR] [--ecosystem E]...
      download OSV's bulk exports (<base>/<Ecosystem>/all.zip; default $CERANA_OSV_URL or OSV's bucket)
      for the ecosystems named, else those already in the database, else all Cerana uses
  cerana db import <zip|dir>       add a zip or directory of OSV records (or a bulk layout)
  cerana db status [-f table|json] sources, record counts, last update, schema version
  cerana db push <oci-ref>         publish the database as an OCI artifact (mirror it in your registry)
  cerana db pull <oci-ref>         fetch a database pushed with db push

Options:
  --db PATH                 database file (default $CERANA_DB or ~/.cache/cerana/vuln.db)
  -q, --quiet               no progress output
  --compression gzip|zstd   layer compression for db push (default gzip)
  --username U, --password P, --password-stdin, --insecure   registry access for push/pull`;

export const dbCommand: Command = {
  name: 'db',
  summary: 'Update, import, inspect and mirror the vulnerability database',
  usage: USAGE,

  async run(args, io) {
    const [verb, ...rest] = args;
    switch (verb) {
      case 'update':
        return update(rest, io);
      case 'import':
        return importCommand(rest, io);
      case 'status':
        return status(rest, io);
      case 'push':
        return push(rest, io);
      case 'pull':
        return pull(rest, io);
      default:
        throw new CeranaError(
          'USAGE',
          verb ? `db: unknown subcommand ${JSON.stringify(verb)}` : 'db: missing subcommand',
          {
            hint: "see 'cerana db --help'",
          },
        );
    }
  },
};

function dbPath(parsed: ParsedArgs): string {
  return stringOption(parsed, 'db') ?? defaultDatabasePath();
}

function onlyPositional(parsed: ParsedArgs, command: string, what: string): string {
  const [value, ...extra] = parsed.positionals;
  if (!value || extra.length > 0) {
    throw new CeranaError('USAGE', `${command}: expected exactly one ${what}`, {
      hint: `see 'cerana db --help'`,
    });
  }
  return value;
}

function noPositionals(parsed: ParsedArgs, command: string): void {
  if (parsed.positionals.length > 0) {
    throw new CeranaError(
      'USAGE',
      `${command}: unexpected argument ${JSON.stringify(parsed.positionals[0])}`,
      {
        hint: `see 'cerana db --help'`,
      },
    );
  }
}

/** One download bar per source on a terminal (the import that follows is quick and not drawn). */
function updateProgress(sink: ProgressSink | undefined): ((event: UpdateProgress) => void) | undefined {
  if (sink === undefined) return undefined;
  const seen = new Map<string, number>();
  return (event) => {
    if (event.phase !== 'download') return;
    const done = event.bytes;
    if (!seen.has(event.source)) {
      sink.start(event.source, `download ${event.source}`, event.total ?? 0);
      seen.set(event.source, 0);
    }
    sink.advance(event.source, done - (seen.get(event.source) ?? 0));
    seen.set(event.source, done);
    if (event.total !== undefined && done >= event.total) sink.done(event.source);
  };
}

async function update(args: string[], io: CommandIo): Promise<number> {
  const parsed = parseCommandArgs('db update', args, {
    ...COMMON,
    source: { type: 'string' },
    ecosystem: { type: 'string', multiple: true },
  });
  noPositionals(parsed, 'db update');
  const ecosystems = parsed.values.ecosystem as string[] | undefined;
  const progress = updateProgress(progressFor(io.interactive, flag(parsed, 'quiet'), io.stderr));
  const source = stringOption(parsed, 'source');
  const result = await updateDatabase({
    dbPath: dbPath(parsed),
    ...(source ? { source } : {}),
    ...(ecosystems ? { ecosystems: ecosystems.flatMap((e) => e.split(',')).filter(Boolean) } : {}),
    ...(progress ? { progress } : {}),
  });
  io.stdout.write(renderUpdate(result));
  return 0;
}

async function importCommand(args: string[], io: CommandIo): Promise<number> {
  const parsed = parseCommandArgs('db import', args, COMMON);
  const input = onlyPositional(parsed, 'db import', 'zip file or directory');
  const progress = updateProgress(progressFor(io.interactive, flag(parsed, 'quiet'), io.stderr));
  const result = await importDatabase(input, dbPath(parsed), progress ? { progress } : {});
  io.stdout.write(renderUpdate(result));
  return 0;
}

async function status(args: string[], io: CommandIo): Promise<number> {
  const parsed = parseCommandArgs('db status', args, { ...COMMON, format: { type: 'string', short: 'f' } });
  noPositionals(parsed, 'db status');
  const format = choiceOption(parsed, 'format', ['table', 'json'] as const, 'table');
  const result = await databaseStatus(dbPath(parsed));
  io.stdout.write(format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : renderStatus(result));
  return 0;
}

/** One transfer bar for push/pull. */
function transferProgress(sink: ProgressSink | undefined, label: string) {
  if (sink === undefined) return undefined;
  let last = 0;
  let started = false;
  return (bytes: number, total: number | undefined) => {
    if (!started) {
      sink.start(label, label, total ?? 0);
      started = true;
    }
    sink.advance(label, bytes - last);
    last = bytes;
    if (total !== undefined && bytes >= total) sink.done(label);
  };
}

async function push(args: string[], io: CommandIo): Promise<number> {
  const parsed = parseCommandArgs('db push', args, {
    ...COMMON,
    ...REGISTRY,
    compression: { type: 'string' },
  });
  const reference = onlyPositional(parsed, 'db push', 'OCI reference');
  const compression = choiceOption<ArtifactCompression>(parsed, 'compression', ['gzip', 'zstd'], 'gzip');
  const progress = transferProgress(progressFor(io.interactive, flag(parsed, 'quiet'), io.stderr), 'push');
  const result = await pushDatabase(dbPath(parsed), reference, {
    ...(await registryAccessFromFlags(parsed, io)),
    compression,
    ...(progress ? { progress } : {}),
  });
  io.stdout.write(
    `pushed ${result.reference}@${result.digest} (${formatSize(result.compressedSize)} ${compression}, ${formatSize(result.size)} database)\n`,
  );
  return 0;
}

async function pull(args: string[], io: CommandIo): Promise<number> {
  const parsed = parseCommandArgs('db pull', args, { ...COMMON, ...REGISTRY });
  const reference = onlyPositional(parsed, 'db pull', 'OCI reference');
  const progress = transferProgress(progressFor(io.interactive, flag(parsed, 'quiet'), io.stderr), 'pull');
  const result = await pullDatabase(dbPath(parsed), reference, {
    ...(await registryAccessFromFlags(parsed, io)),
    ...(progress ? { progress } : {}),
  });
  io.stdout.write(`pulled ${result.reference}@${result.digest}\n${renderStatus(result.status)}`);
  return 0;
}

function renderUpdate(result: UpdateResult): string {
  const rows = result.sources.map((source) => [
    source.name,
    source.status,
    source.stats ? `${source.stats.records} records` : '',
    source.stats && source.stats.withdrawn > 0 ? `${source.stats.withdrawn} withdrawn` : '',
    source.stats && source.stats.rejected > 0 ? `${source.stats.rejected} rejected` : '',
    source.transferred > 0 ? formatSize(source.transferred) : '',
  ]);
  const lines = [`${result.changed ? 'updated' : 'up to date'}: ${result.dbPath}`, ...alignColumns(rows)];
  for (const source of result.sources) {
    for (const warning of source.stats?.warnings.slice(0, 5) ?? [])
      lines.push(`warning: ${source.name}: ${warning}`);
    const more = (source.stats?.warningCount ?? 0) - Math.min(5, source.stats?.warnings.length ?? 0);
    if (more > 0) lines.push(`warning: ${source.name}: ${more} more`);
  }
  return `${lines.join('\n')}\n`;
}

function renderStatus(status: DatabaseStatus): string {
  const lines = [
    `Database  ${status.path}`,
    `Schema    ${status.schemaVersion} (${status.driver})`,
    `Built     ${status.builtAt}`,
    `Size      ${formatSize(status.sizeBytes)}`,
    `Records   ${status.records} (${status.withdrawn} withdrawn, ${status.affected} affected entries)`,
    '',
    ...alignColumns([
      ['SOURCE', 'RECORDS', 'WITHDRAWN', 'UPDATED', 'CHECKED', 'LOCATION'],
      ...status.sources.map((s) => [
        s.name,
        String(s.records),
        String(s.withdrawn),
        s.updatedAt,
        s.checkedAt,
        s.location,
      ]),
    ]),
  ];
  return `${lines.join('\n')}\n`;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}
