import { writeFileSync } from 'node:fs';
import { CeranaError } from '../common/errors.js';
import { loadExceptions } from '../policy/exceptions.js';
import { generateOpenVex } from '../policy/vex.js';
import { type Command, type OptionSpec, parseCommandArgs, stringOption } from './command.js';

const OPTIONS: OptionSpec = {
  exceptions: { type: 'string' },
  author: { type: 'string' },
  output: { type: 'string', short: 'o' },
};

export const vexCommand: Command = {
  name: 'vex',
  summary: 'Generate OpenVEX documents from accepted exceptions',
  usage: `Usage: cerana vex generate --exceptions FILE [--author NAME] [-o FILE]

Writes an OpenVEX v0.2.0 document with one statement per live exception that names a
vulnerability id and declares "vex: {status: not_affected|fixed, justification: ...}".
Apply it to scans with 'cerana policy test ... --vex FILE'.`,

  async run(args, io) {
    const [verb, ...rest] = args;
    const parsed = parseCommandArgs('vex', rest, OPTIONS);
    if (verb !== 'generate') {
      throw new CeranaError('USAGE', `vex: unknown subcommand ${JSON.stringify(verb ?? '')}`, {
        hint: "see 'cerana vex --help'",
      });
    }
    const file = stringOption(parsed, 'exceptions');
    if (file === undefined) throw new CeranaError('USAGE', 'vex generate: --exceptions FILE is required');
    const doc = generateOpenVex(loadExceptions(file), {
      author: stringOption(parsed, 'author') ?? 'cerana',
      now: new Date(),
    });
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    const output = stringOption(parsed, 'output');
    if (output !== undefined) writeFileSync(output, text);
    else io.stdout.write(text);
    return 0;
  },
};
