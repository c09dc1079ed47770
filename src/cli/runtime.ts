import { CeranaError } from '../common/errors.js';
import { formatLoadMessage, loadRules, type RuleSet } from '../runtime/engine/index.js';
import { type AlertFormat, replay, startWatch, type WatchOptions } from '../runtime/pipeline.js';
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

const OPTIONS: OptionSpec = {
  rules: { type: 'string', short: 'r', multiple: true },
  container: { type: 'string', short: 'c', multiple: true },
  all: { type: 'boolean' },
  'include-host': { type: 'boolean' },
  format: { type: 'string', short: 'f' },
  record: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
};

/** Rule files from `--rules`, else $CERANA_RULES (colon-separated): Cerana ships no Falco rule text. */
function loadRuleFiles(parsed: ParsedArgs, io: CommandIo): RuleSet {
  const given = parsed.values.rules;
  const files =
    Array.isArray(given) && given.length > 0
      ? given
      : (process.env.CERANA_RULES?.split(':').filter(Boolean) ?? []);
  if (files.length === 0) {
    throw new CeranaError('USAGE', 'runtime: no rules given', {
      hint: 'pass --rules <falco_rules.yaml> (repeatable) or set CERANA_RULES',
    });
  }
  const loaded = loadRules(files);
  if (!flag(parsed, 'quiet'))
    for (const warning of loaded.warnings) io.stderr.write(`${formatLoadMessage(warning)}\n`);
  if (!loaded.ok) {
    for (const error of loaded.errors) io.stderr.write(`${formatLoadMessage(error)}\n`);
    throw new CeranaError('INPUT', `runtime: ${loaded.errors.length} error(s) in the rule files`, {
      hint: "check them with 'cerana rules validate'",
    });
  }
  return loaded.ruleSet;
}

function containersOf(parsed: ParsedArgs): 'all' | string[] {
  const ids = parsed.values.container;
  if (flag(parsed, 'all') && Array.isArray(ids))
    throw new CeranaError('USAGE', '--all and --container are exclusive');
  return Array.isArray(ids) && ids.length > 0 ? ids : 'all';
}

async function watch(parsed: ParsedArgs, io: CommandIo): Promise<number> {
  const format = choiceOption<AlertFormat>(parsed, 'format', ['json', 'text'], 'json');
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const options: WatchOptions = {
    rules: loadRuleFiles(parsed, io),
    containers: containersOf(parsed),
    includeHost: flag(parsed, 'include-host'),
    format,
    signal: controller.signal,
    onAlert: (_alert, line) => io.stdout.write(`${line}\n`),
    onWarning: (message) => {
      if (!flag(parsed, 'quiet')) io.stderr.write(`cerana: warning: ${message}\n`);
    },
  };
  const record = stringOption(parsed, 'record');
  if (record !== undefined) Object.assign(options, { record });
  try {
    const handle = await startWatch(options);
    if (!flag(parsed, 'quiet'))
      io.stderr.write(`cerana: watching (bpftrace pid ${handle.pid}); Ctrl-C stops\n`);
    const summary = await handle.done;
    if (!flag(parsed, 'quiet'))
      io.stderr.write(`cerana: stopped: ${summary.events} events, ${summary.alerts} alerts\n`);
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

async function replayFile(file: string, parsed: ParsedArgs, io: CommandIo): Promise<number> {
  const format = choiceOption<AlertFormat>(parsed, 'format', ['json', 'text'], 'json');
  const result = await replay(file, {
    rules: loadRuleFiles(parsed, io),
    containers: containersOf(parsed),
    includeHost: flag(parsed, 'include-host'),
    format,
    onAlert: (_alert, line) => io.stdout.write(`${line}\n`),
  });
  if (!flag(parsed, 'quiet'))
    io.stderr.write(`cerana: replayed ${result.events} events, ${result.alerts.length} alerts\n`);
  return 0;
}

export const runtimeCommand: Command = {
  name: 'runtime',
  summary: 'Watch containers with the eBPF sensor and Falco-compatible rules, or replay a recording',
  usage: `Usage: cerana runtime watch  [options]     (root; needs bpftrace and tracefs)
       cerana runtime replay <file> [options]

  -r, --rules FILE          Falco rule file or directory (repeatable; default $CERANA_RULES)
  -c, --container ID|NAME   only this container (repeatable; id prefix of 4+ characters)
  --all                     every container (the default)
  --include-host            also processes outside containers
  -f, --format json|text    alert format (default json, shaped like Falco's)
  --record FILE             watch: also write every event to FILE for replay
  -q, --quiet               no warnings or status lines`,

  async run(args, io) {
    const parsed = parseCommandArgs('runtime', args, OPTIONS);
    const [subcommand, ...rest] = parsed.positionals;
    if (subcommand === 'watch' && rest.length === 0) return watch(parsed, io);
    if (subcommand === 'replay' && rest.length === 1 && rest[0]) {
      if (stringOption(parsed, 'record') !== undefined)
        throw new CeranaError('USAGE', '--record is for watch');
      return replayFile(rest[0], parsed, io);
    }
    throw new CeranaError('USAGE', 'runtime: expected `watch` or `replay <file>`', {
      hint: "see 'cerana runtime --help'",
    });
  },
};
