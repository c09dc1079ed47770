import { readFile, stat } from 'node:fs/promises';
import { CeranaError } from '../common/errors.js';
import { toSarif } from '../report/sarif.js';
import { renderExplanations, renderVulnerabilityTable } from '../report/vulnerabilities.js';
import { readSbom } from '../vuln/match/sbom/read.js';
import { scanVulnerabilities } from '../vuln/match/scan.js';
import { type Command, choiceOption, type OptionSpec, parseCommandArgs } from './command.js';
import { VULN_OPTIONS, VULN_USAGE, vulnFlags } from './vuln-flags.js';

const OPTIONS: OptionSpec = { format: { type: 'string', short: 'f' }, ...VULN_OPTIONS };

/** SBOMs bigger than this are refused rather than read into memory. */
const MAX_SBOM_BYTES = 512 * 1024 * 1024;

/**
 * `cerana sbom scan <file>`: the vulnerabilities of the packages a CycloneDX or SPDX SBOM lists,
 * without the image. Meant to be routed to from `cerana sbom` (its first argument `scan`).
 */
export const sbomScanCommand: Command = {
  name: 'sbom scan',
  summary: 'Rescan a CycloneDX or SPDX SBOM for vulnerabilities',
  usage: `Usage: cerana sbom scan <file> [options]

Reads a CycloneDX (1.4-1.6) or SPDX (2.2-2.3) JSON SBOM, turns its purls back into packages and
matches them against the vulnerability database.

Options:
  -f, --format table|json|sarif   output format (default table)
${VULN_USAGE}`,

  async run(args, io) {
    const parsed = parseCommandArgs('sbom scan', args, OPTIONS);
    const [file, ...extra] = parsed.positionals;
    if (!file || extra.length > 0) {
      throw new CeranaError('USAGE', 'sbom scan: expected exactly one SBOM file', {
        hint: "see 'cerana sbom scan --help'",
      });
    }
    const format = choiceOption(parsed, 'format', ['table', 'json', 'sarif'] as const, 'table');
    const { options, exitCode } = vulnFlags(parsed);
    const info = await stat(file).catch(() => undefined);
    if (info === undefined || !info.isFile()) throw new CeranaError('NOT_FOUND', `${file}: no such file`);
    if (info.size > MAX_SBOM_BYTES) {
      throw new CeranaError(
        'INPUT',
        `${file}: ${info.size} bytes is over the ${MAX_SBOM_BYTES}-byte SBOM limit`,
      );
    }
    const sbom = readSbom(await readFile(file, 'utf8'), file);
    const report = await scanVulnerabilities(sbom.packages, sbom.os, { ...options, image: sbom.subject });
    if (report.explanations) io.stderr.write(renderExplanations(report.explanations));
    const warnings = [...sbom.warnings, ...report.warnings];
    if (format === 'json') {
      io.stdout.write(
        `${JSON.stringify(
          {
            schemaVersion: 1,
            sbom: {
              file,
              format: sbom.format,
              subject: sbom.subject,
              os: sbom.os,
              packages: sbom.packages.length,
            },
            database: report.database,
            stats: report.stats,
            filtered: report.filtered,
            vulnerabilities: report.findings,
            warnings,
          },
          null,
          2,
        )}\n`,
      );
    } else if (format === 'sarif') {
      io.stdout.write(`${JSON.stringify(toSarif(report.findings, { toolName: 'Cerana' }), null, 2)}\n`);
    } else {
      const header = `SBOM ${file} (${sbom.format}, ${sbom.packages.length} packages${sbom.os ? `, ${sbom.os.prettyName}` : ''})`;
      const lines = [header, '', ...renderVulnerabilityTable({ ...report, warnings })];
      io.stdout.write(`${lines.join('\n')}\n`);
    }
    return report.findings.length > 0 ? exitCode : 0;
  },
};
