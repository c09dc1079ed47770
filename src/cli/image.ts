import { existsSync } from 'node:fs';
import { CeranaError } from '../common/errors.js';
import { renderImageTable } from '../report/image-table.js';
import { toSarif } from '../report/sarif.js';
import { renderSbom } from '../report/sbom.js';
import { withVulnerabilities } from '../report/vuln-cyclonedx.js';
import { renderExplanations } from '../report/vulnerabilities.js';
import { scanImageRef } from '../scan/image-scan.js';
import { type Command, choiceOption, type OptionSpec, parseCommandArgs } from './command.js';
import {
  REFERENCE_USAGE,
  SOURCE_OPTIONS,
  SOURCE_USAGE,
  singleReference,
  sourceFromFlags,
} from './source-flags.js';
import { VULN_OPTIONS, VULN_USAGE, vulnFlags } from './vuln-flags.js';

const OPTIONS: OptionSpec = {
  format: { type: 'string', short: 'f' },
  ...SOURCE_OPTIONS,
  ...VULN_OPTIONS,
};

export const imageCommand: Command = {
  name: 'image',
  summary: 'Scan a container image and print the report',
  usage: `Usage: cerana image <ref> [options]

${REFERENCE_USAGE}

Options:
  -f, --format table|json|sarif|cyclonedx
                            output format (default table); sarif lists the vulnerabilities,
                            cyclonedx is the SBOM with its vulnerabilities
${SOURCE_USAGE}

${VULN_USAGE}

Without a vulnerability database the report says vulnerabilities were not scanned; with any
vulnerability option, or --format sarif|cyclonedx, a missing database is an error.`,

  async run(args, io) {
    const parsed = parseCommandArgs('image', args, OPTIONS);
    const ref = singleReference('image', parsed);
    const format = choiceOption(parsed, 'format', ['table', 'json', 'sarif', 'cyclonedx'] as const, 'table');
    const vuln = vulnFlags(parsed);
    const asked =
      format === 'sarif' ||
      format === 'cyclonedx' ||
      Object.keys(VULN_OPTIONS).some((name) => parsed.values[name] !== undefined);
    // Checked before the image is read, so a missing database fails fast.
    const haveDb = existsSync(vuln.options.dbPath);
    if (!haveDb && asked) {
      throw new CeranaError('NOT_FOUND', `no vulnerability database at ${vuln.options.dbPath}`, {
        hint: 'run `cerana db update`',
      });
    }
    const { source, noCache } = await sourceFromFlags(parsed, io);
    const result = await scanImageRef(ref, {
      source,
      scan: { noCache },
      ...(haveDb ? { vulnerabilities: vuln.options } : {}),
    });
    if (!haveDb) {
      const notice = `vulnerabilities not scanned: no vulnerability database at ${vuln.options.dbPath} (run \`cerana db update\`)`;
      result.warnings.push(notice);
      io.stderr.write(`cerana: warning: ${notice}\n`);
    }
    const report = result.vulnerabilities;
    if (report?.explanations) io.stderr.write(renderExplanations(report.explanations));
    if (format === 'json') io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else if (format === 'sarif')
      io.stdout.write(`${JSON.stringify(toSarif(report?.findings ?? []), null, 2)}\n`);
    else if (format === 'cyclonedx') {
      const sbom = renderSbom(result, { format: 'cyclonedx', reproducible: false });
      io.stdout.write(withVulnerabilities(sbom, result.packages, report?.findings ?? []));
    } else io.stdout.write(renderImageTable(result));
    return report !== undefined && report.findings.length > 0 ? vuln.exitCode : 0;
  },
};
