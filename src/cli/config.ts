import { writeFileSync } from 'node:fs';
import { CeranaError } from '../common/errors.js';
import { configReportRules } from '../config/catalog.js';
import { CONFIG_TYPES, type ConfigType, type ScanConfigOptions, scanConfig } from '../config/index.js';
import type { PssLevel } from '../config/kubernetes/pss/index.js';
import { renderFindingsJson, renderFindingsTable } from '../report/findings.js';
import { toJUnit } from '../report/junit.js';
import { toSarif } from '../report/sarif.js';
import { parseSeverityList } from '../vuln/match/filter.js';
import {
  type Command,
  choiceOption,
  flag,
  integerOption,
  type OptionSpec,
  parseCommandArgs,
  stringOption,
} from './command.js';

const OPTIONS: OptionSpec = {
  type: { type: 'string' },
  format: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  severity: { type: 'string' },
  'exit-code': { type: 'string' },
  'pss-version': { type: 'string' },
  'pss-level': { type: 'string' },
  'user-namespaces': { type: 'boolean' },
  profile: { type: 'string', multiple: true },
  suppressions: { type: 'string' },
  shellcheck: { type: 'boolean' },
  'helm-values': { type: 'string', multiple: true },
  'max-file-size': { type: 'string' },
};

const FORMATS = ['table', 'json', 'sarif', 'junit'] as const;

export const configCommand: Command = {
  name: 'config',
  summary: 'Scan Dockerfiles, Kubernetes manifests, Compose files and Docker daemon config',
  usage: `Usage: cerana config <path...> [options]

Files and directories; each file's type is detected (${CONFIG_TYPES.join(', ')}).
  --type T                  treat every file as this type
  -f, --format F            ${FORMATS.join('|')} (default table)
  -o, --output FILE         write the report to FILE
  --severity LIST           only report these severities (CRITICAL,HIGH,MEDIUM,LOW,UNKNOWN)
  --exit-code N             exit with N when unsuppressed findings remain (default 0)
  --pss-version v1.N        Pod Security Standards version (default: latest)
  --pss-level L             baseline or restricted (default restricted)
  --user-namespaces         apply the PSS relaxations for pods in user namespaces
  --profile NAME            active Compose profile (repeatable)
  --suppressions FILE       suppression file (id, reason, path/object, expires)
  --shellcheck              run ShellCheck over RUN instructions (needs the shellcheck binary)
  --helm-values FILE        values for rendering Helm charts with helm template (repeatable)
  --max-file-size BYTES     largest file read (default 4 MiB)

Inline suppression: a comment "# cerana:ignore <rule-id> <reason>" on or above the line.`,

  async run(args, io) {
    const parsed = parseCommandArgs('config', args, OPTIONS);
    if (parsed.positionals.length === 0) {
      throw new CeranaError('USAGE', 'config: expected at least one file or directory', {
        hint: "see 'cerana config --help'",
      });
    }
    const format = choiceOption(parsed, 'format', FORMATS, 'table');
    const exitCode = integerOption(parsed, 'exit-code') ?? 0;
    if (exitCode > 255) throw new CeranaError('USAGE', '--exit-code must be between 0 and 255');
    const severityText = stringOption(parsed, 'severity');
    const severities = severityText === undefined ? undefined : parseSeverityList(severityText);

    const options: ScanConfigOptions = { env: process.env };
    const type = stringOption(parsed, 'type');
    if (type !== undefined) {
      if (!(CONFIG_TYPES as readonly string[]).includes(type)) {
        throw new CeranaError(
          'USAGE',
          `--type must be one of ${CONFIG_TYPES.join(', ')}, not ${JSON.stringify(type)}`,
        );
      }
      options.type = type as ConfigType;
    }
    const pssVersion = stringOption(parsed, 'pss-version');
    if (pssVersion !== undefined) options.pssVersion = pssVersion;
    if (stringOption(parsed, 'pss-level') !== undefined) {
      options.pssLevel = choiceOption<PssLevel>(
        parsed,
        'pss-level',
        ['baseline', 'restricted'],
        'restricted',
      );
    }
    if (flag(parsed, 'user-namespaces')) options.userNamespaces = true;
    const profiles = parsed.values.profile;
    if (Array.isArray(profiles)) options.profiles = profiles;
    const suppressions = stringOption(parsed, 'suppressions');
    if (suppressions !== undefined) options.suppressionsFile = suppressions;
    if (flag(parsed, 'shellcheck')) options.shellcheck = true;
    const helmValues = parsed.values['helm-values'];
    if (Array.isArray(helmValues)) options.helmValues = helmValues;
    const maxFileSize = integerOption(parsed, 'max-file-size');
    if (maxFileSize !== undefined) options.maxFileSize = maxFileSize;

    const result = await scanConfig(parsed.positionals, options);
    const findings = severities
      ? result.findings.filter((f) => severities.includes(f.severity))
      : result.findings;
    const checked = result.files.map((file) => file.path);
    const report =
      format === 'json'
        ? renderFindingsJson(findings, result.errors)
        : format === 'sarif'
          ? `${JSON.stringify(toSarif(findings, { rules: configReportRules(), baseDir: process.cwd() }), null, 2)}\n`
          : format === 'junit'
            ? toJUnit(findings, { checked })
            : renderFindingsTable(findings, result.errors);
    const output = stringOption(parsed, 'output');
    if (output !== undefined) writeFileSync(output, report);
    else io.stdout.write(report);
    for (const error of result.errors) {
      const at = error.line === undefined ? '' : `:${error.line}:${error.column ?? 1}`;
      if (format !== 'table') io.stderr.write(`cerana: ${error.path}${at}: ${error.message}\n`);
    }
    if (result.files.length === 0 && result.errors.length > 0) return 2;
    return findings.some((f) => !f.suppressed) ? exitCode : 0;
  },
};
