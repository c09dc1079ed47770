import { CeranaError } from '../common/errors.js';
import { explainCompare, formatExplanation, schemeNames } from '../vuln/versioning/index.js';
import { type Command, flag, parseCommandArgs } from './command.js';

export const versionCommand: Command = {
  name: 'version',
  summary: 'Compare two versions the way an ecosystem orders them',
  usage: `Usage: cerana version compare <scheme|ecosystem> <a> <b> [--explain]

Prints <, = or > . Schemes: ${schemeNames.join(', ')}; OSV ecosystem names (Debian:12, PyPI, ...) work too.
  --explain   also show how each version was read`,

  async run(args, io) {
    const parsed = parseCommandArgs('version', args, { explain: { type: 'boolean' } });
    const [subcommand, scheme, a, b, ...extra] = parsed.positionals;
    if (
      subcommand !== 'compare' ||
      scheme === undefined ||
      a === undefined ||
      b === undefined ||
      extra.length > 0
    ) {
      throw new CeranaError('USAGE', 'version: expected `compare <scheme> <a> <b>`', {
        hint: "see 'cerana version --help'",
      });
    }
    const explanation = explainCompare(scheme, a, b);
    io.stdout.write(
      flag(parsed, 'explain') ? `${formatExplanation(explanation).join('\n')}\n` : `${explanation.symbol}\n`,
    );
    return 0;
  },
};
