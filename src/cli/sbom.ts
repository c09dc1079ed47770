import { writeFile } from 'node:fs/promises';
import { CeranaError } from '../common/errors.js';
import { renderSbom, SBOM_FORMATS } from '../report/sbom.js';
import { scanImageRef } from '../scan/image-scan.js';
import {
  type Command,
  choiceOption,
  flag,
  type OptionSpec,
  parseCommandArgs,
  stringOption,
} from './command.js';
import { sbomScanCommand } from './sbom-scan.js';
import {
  REFERENCE_USAGE,
  SOURCE_OPTIONS,
  SOURCE_USAGE,
  singleReference,
  sourceFromFlags,
} from './source-flags.js';

const OPTIONS: OptionSpec = {
  format: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  reproducible: { type: 'boolean' },
  ...SOURCE_OPTIONS,
};

export const sbomCommand: Command = {
  name: 'sbom',
  summary: 'List every OS and language package of an image as an SBOM',
  usage: `Usage: cerana sbom <ref> [options]
       cerana sbom scan <file> [options]   rescan an SBOM for vulnerabilities (see 'cerana sbom scan --help')

${REFERENCE_USAGE}

Options:
  -f, --format cyclonedx|spdx|json|table
                            CycloneDX 1.6 JSON (default), SPDX 2.3 JSON, Cerana's package JSON, or a table
  -o, --output FILE         write the SBOM to FILE instead of standard output
  --reproducible            pin the timestamp ($SOURCE_DATE_EPOCH, else the image's creation time)
                            and the serial (derived from the content): same image, same bytes
${SOURCE_USAGE}

Files a cataloger could not read are reported as warnings on standard error (in the table and
json formats, in the output itself).`,

  // `cerana sbom scan <file>` reads an SBOM back instead of producing one.
  subcommands: { scan: sbomScanCommand },

  async run(args, io) {
    const parsed = parseCommandArgs('sbom', args, OPTIONS);
    const ref = singleReference('sbom', parsed);
    const format = choiceOption(parsed, 'format', SBOM_FORMATS, 'cyclonedx');
    const output = stringOption(parsed, 'output');
    if (output === '') throw new CeranaError('USAGE', '--output needs a file name');
    const { source, noCache, quiet } = await sourceFromFlags(parsed, io);
    const result = await scanImageRef(ref, { source, scan: { noCache } });
    const options = { format, reproducible: flag(parsed, 'reproducible') };
    const text = renderSbom(
      result,
      process.env.SOURCE_DATE_EPOCH === undefined
        ? options
        : { ...options, sourceDateEpoch: process.env.SOURCE_DATE_EPOCH },
    );
    if (output === undefined) io.stdout.write(text);
    else {
      await writeFile(output, text).catch((error: NodeJS.ErrnoException) => {
        throw new CeranaError('INPUT', `cannot write ${output}: ${error.code ?? error.message}`);
      });
    }
    if ((format === 'cyclonedx' || format === 'spdx') && !quiet) {
      for (const warning of result.warnings) io.stderr.write(`cerana: warning: ${warning}\n`);
    }
    return 0;
  },
};
