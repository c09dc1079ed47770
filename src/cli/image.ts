import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { CeranaError } from '../common/errors.js';
import { portraitComponents, portraitJson } from '../detect/binaries/index.js';
import { renderFindingsTable } from '../report/findings.js';
import { renderImageTable } from '../report/image-table.js';
import { toSarif } from '../report/sarif.js';
import { renderSbom } from '../report/sbom.js';
import { withVulnerabilities } from '../report/vuln-cyclonedx.js';
import { renderExplanations } from '../report/vulnerabilities.js';
import { ImageDetectors, SCANNERS, type ScannerName } from '../scan/detectors.js';
import { scanImageRef } from '../scan/image-scan.js';
import {
  type Command,
  choiceOption,
  flag,
  type OptionSpec,
  type ParsedArgs,
  parseCommandArgs,
  stringOption,
} from './command.js';
import { POLICY_GATE_OPTIONS, POLICY_GATE_USAGE, policyGateContext, runPolicyGate } from './policy.js';
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
  ...POLICY_GATE_OPTIONS,
  scanners: { type: 'string' },
  'secret-config': { type: 'string' },
  'malware-hashes': { type: 'string', multiple: true },
  'yara-rules': { type: 'string', multiple: true },
  portrait: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
};

export const imageCommand: Command = {
  name: 'image',
  summary: 'Scan a container image and print the report',
  usage: `Usage: cerana image <ref> [options]

${REFERENCE_USAGE}

Options:
  -f, --format table|json|sarif|cyclonedx
                            output format (default table); sarif lists vulnerabilities and the
                            other findings, cyclonedx is the SBOM with its vulnerabilities
  --scanners LIST           what to look for: ${SCANNERS.join(',')} (default: all)
  --secret-config FILE      add, replace or disable secret rules and allow-lists
  --malware-hashes FILE     known-bad SHA-256 list, one hash per line (repeatable)
  --yara-rules PATH         YARA rule file or directory, run with the yara CLI (repeatable)
  --portrait -o FILE        write the binary portrait (every executable with its SHA-256) to FILE;
                            with -f cyclonedx the executables are also file components of the SBOM
${SOURCE_USAGE}

${VULN_USAGE}

Policy:
${POLICY_GATE_USAGE}

Without a vulnerability database the report says vulnerabilities were not scanned; with any
vulnerability option, or --format sarif|cyclonedx, a missing database is an error.`,

  async run(args, io) {
    const parsed = parseCommandArgs('image', args, OPTIONS);
    const ref = singleReference('image', parsed);
    const format = choiceOption(parsed, 'format', ['table', 'json', 'sarif', 'cyclonedx'] as const, 'table');
    const scanners = parseScanners(stringOption(parsed, 'scanners'));
    const vuln = vulnFlags(parsed);
    const vulnAsked =
      parsed.values.scanners !== undefined ||
      format === 'sarif' ||
      format === 'cyclonedx' ||
      Object.keys(VULN_OPTIONS).some((name) => parsed.values[name] !== undefined);
    // Checked before the image is read, so a missing database or a bad policy fails fast.
    const haveDb = existsSync(vuln.options.dbPath);
    if (scanners.has('vuln') && !haveDb && vulnAsked) {
      throw new CeranaError('NOT_FOUND', `no vulnerability database at ${vuln.options.dbPath}`, {
        hint: 'run `cerana db update`',
      });
    }
    const gate = wantsPolicyGate(parsed) ? policyGateContext(parsed) : undefined;
    const portraitFile = stringOption(parsed, 'output');
    if (flag(parsed, 'portrait') !== (portraitFile !== undefined)) {
      throw new CeranaError('USAGE', '--portrait and -o FILE go together', {
        hint: 'cerana image <ref> --portrait -o portrait.json',
      });
    }
    const secretConfig = stringOption(parsed, 'secret-config');
    const malwareHashes = parsed.values['malware-hashes'];
    const yaraRules = parsed.values['yara-rules'];
    const detectors = new ImageDetectors(scanners, {
      ...(secretConfig !== undefined ? { secretConfig } : {}),
      ...(Array.isArray(malwareHashes) ? { malwareHashes } : {}),
      ...(Array.isArray(yaraRules) ? { yaraRules } : {}),
      portrait: portraitFile !== undefined,
    });
    const { source, noCache } = await sourceFromFlags(parsed, io);
    const result = await scanImageRef(ref, {
      source,
      scan: { noCache },
      detectors,
      ...(scanners.has('vuln') && haveDb ? { vulnerabilities: vuln.options } : {}),
    });
    if (scanners.has('vuln') && !haveDb) {
      const notice = `vulnerabilities not scanned: no vulnerability database at ${vuln.options.dbPath} (run \`cerana db update\`)`;
      result.warnings.push(notice);
      io.stderr.write(`cerana: warning: ${notice}\n`);
    }
    if (portraitFile !== undefined && result.portrait)
      await writeFile(portraitFile, portraitJson(result.portrait));
    const report = result.vulnerabilities;
    if (report?.explanations) io.stderr.write(renderExplanations(report.explanations));
    const outcome = gate ? runPolicyGate(result, gate, io.stderr) : undefined;
    const severities = vuln.options.severities;
    const findings = result.findings.filter(
      (f) => severities === undefined || severities.includes(f.severity),
    );

    if (format === 'json') {
      io.stdout.write(`${JSON.stringify(outcome ? { ...result, policy: outcome.json } : result, null, 2)}\n`);
    } else if (format === 'sarif') {
      io.stdout.write(`${JSON.stringify(toSarif([...(report?.findings ?? []), ...findings]), null, 2)}\n`);
    } else if (format === 'cyclonedx') {
      const sbom = withFileComponents(
        renderSbom(result, { format: 'cyclonedx', reproducible: false }),
        result.portrait ? portraitComponents(result.portrait) : [],
      );
      io.stdout.write(withVulnerabilities(sbom, result.packages, report?.findings ?? []));
    } else {
      io.stdout.write(renderImageTable(result));
      if (detectorsRan(scanners))
        io.stdout.write(`\nFindings (${findings.length})\n${renderFindingsTable(findings)}`);
      if (outcome) io.stdout.write(outcome.text);
    }
    const remaining = (report?.findings.length ?? 0) + findings.filter((f) => !f.suppressed).length;
    return Math.max(remaining > 0 ? vuln.exitCode : 0, outcome?.exitCode ?? 0);
  },
};

/** `--scanners vuln,secret`: the chosen scanners; all of them when the flag is absent. */
function parseScanners(text: string | undefined): Set<ScannerName> {
  if (text === undefined) return new Set(SCANNERS);
  const words = text
    .split(',')
    .map((word) => word.trim())
    .filter(Boolean);
  const unknown = words.filter((word) => !(SCANNERS as readonly string[]).includes(word));
  if (words.length === 0 || unknown.length > 0) {
    throw new CeranaError(
      'USAGE',
      `--scanners: ${unknown.length > 0 ? `unknown scanner ${unknown.join(', ')}` : 'empty list'}`,
      {
        hint: `use a comma-separated list of ${SCANNERS.join(', ')}`,
      },
    );
  }
  return new Set(words as ScannerName[]);
}

function detectorsRan(scanners: ReadonlySet<ScannerName>): boolean {
  return [...scanners].some((scanner) => scanner !== 'vuln');
}

function wantsPolicyGate(parsed: ParsedArgs): boolean {
  return (
    ['policy', 'exceptions', 'vex'].some((name) => parsed.values[name] !== undefined) ||
    flag(parsed, 'explain-score') ||
    flag(parsed, 'show-suppressed')
  );
}

/** Adds the portrait's executables to a CycloneDX document as `file` components. */
function withFileComponents(sbom: string, files: readonly object[]): string {
  if (files.length === 0) return sbom;
  const document = JSON.parse(sbom) as { components?: object[] };
  document.components = [...(document.components ?? []), ...files];
  return `${JSON.stringify(document, null, 2)}\n`;
}
