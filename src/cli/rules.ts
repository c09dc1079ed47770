import { CeranaError } from '../common/errors.js';
import { formatLoadMessage, validateRules } from '../runtime/engine/index.js';
import { type Command, flag, parseCommandArgs } from './command.js';

export const rulesCommand: Command = {
  name: 'rules',
  summary: 'Validate Falco-compatible runtime rule files',
  usage: `Usage: cerana rules validate <file|dir...> [--quiet]

Loads the files together, in order (later files append to or override earlier ones), and
prints every error and warning as file:line:column. Exit code 0 when they load, 2 when not.
  -q, --quiet   print errors only`,

  async run(args, io) {
    const parsed = parseCommandArgs('rules', args, { quiet: { type: 'boolean', short: 'q' } });
    const [subcommand, ...files] = parsed.positionals;
    if (subcommand !== 'validate' || files.length === 0) {
      throw new CeranaError('USAGE', 'rules: expected `validate <file...>`', {
        hint: "see 'cerana rules --help'",
      });
    }
    const report = validateRules(files);
    for (const error of report.errors) io.stderr.write(`${formatLoadMessage(error)}\n`);
    if (!flag(parsed, 'quiet'))
      for (const warning of report.warnings) io.stderr.write(`${formatLoadMessage(warning)}\n`);
    if (!report.ok) {
      io.stdout.write(`${report.errors.length} error(s), ${report.warnings.length} warning(s)\n`);
      return 2;
    }
    const { rules, enabledRules, macros, lists } = report.summary;
    io.stdout.write(
      `ok: ${rules} rules (${enabledRules} enabled), ${macros} macros, ${lists} lists; ${report.warnings.length} warning(s)\n`,
    );
    return 0;
  },
};
