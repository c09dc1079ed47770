import { renderImageTable } from '../report/image-table.js';
import { scanImageRef } from '../scan/image-scan.js';
import { type Command, choiceOption, type OptionSpec, parseCommandArgs } from './command.js';
import {
  REFERENCE_USAGE,
  SOURCE_OPTIONS,
  SOURCE_USAGE,
  singleReference,
  sourceFromFlags,
} from './source-flags.js';

const OPTIONS: OptionSpec = {
  format: { type: 'string', short: 'f' },
  ...SOURCE_OPTIONS,
};

export const imageCommand: Command = {
  name: 'image',
  summary: 'Scan a container image and print the report',
  usage: `Usage: cerana image <ref> [options]

${REFERENCE_USAGE}

Options:
  -f, --format table|json   output format (default table)
${SOURCE_USAGE}`,

  async run(args, io) {
    const parsed = parseCommandArgs('image', args, OPTIONS);
    const ref = singleReference('image', parsed);
    const format = choiceOption(parsed, 'format', ['table', 'json'] as const, 'table');
    const { source, noCache } = await sourceFromFlags(parsed, io);
    const result = await scanImageRef(ref, { source, scan: { noCache } });
    io.stdout.write(format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : renderImageTable(result));
    return 0;
  },
};
