import { CeranaError } from '../common/errors.js';
import { defaultDatabasePath } from '../vuln/db/index.js';
import { parseSeverityList } from '../vuln/match/filter.js';
import type { VulnerabilityScanOptions } from '../vuln/match/scan.js';
import { flag, integerOption, type OptionSpec, type ParsedArgs, stringOption } from './command.js';

/** Vulnerability flags shared by `cerana image` and `cerana sbom scan`. */
export const VULN_OPTIONS: OptionSpec = {
  severity: { type: 'string' },
  'ignore-unfixed': { type: 'boolean' },
  'exit-code': { type: 'string' },
  db: { type: 'string' },
  'db-max-age': { type: 'string' },
  'include-os-owned-upstream': { type: 'boolean' },
  debug: { type: 'boolean' },
};

export const VULN_USAGE = `Vulnerabilities:
  --severity LIST           only report these severities (CRITICAL,HIGH,MEDIUM,LOW,UNKNOWN)
  --ignore-unfixed          leave out vulnerabilities without a fixed version
  --exit-code N             exit with N when vulnerabilities remain after the filters (default 0)
  --db PATH                 vulnerability database (default $CERANA_DB or ~/.cache/cerana/vuln.db)
  --db-max-age DAYS         refuse a database older than DAYS (default 30; 0: any age)
  --include-os-owned-upstream
                            also match language packages an OS package owns against upstream advisories
  --debug                   explain on standard error which advisory range matched which package`;

/** The database refuses to answer when older than this, unless told otherwise. */
const DEFAULT_MAX_AGE_DAYS = 30;

export interface VulnFlags {
  options: VulnerabilityScanOptions;
  exitCode: number;
}

export function vulnFlags(parsed: ParsedArgs): VulnFlags {
  const severity = stringOption(parsed, 'severity');
  const exitCode = integerOption(parsed, 'exit-code') ?? 0;
  if (exitCode > 255) throw new CeranaError('USAGE', '--exit-code must be between 0 and 255');
  const maxAge = stringOption(parsed, 'db-max-age') ?? process.env.CERANA_DB_MAX_AGE;
  if (maxAge !== undefined && !/^\d+$/.test(maxAge)) {
    throw new CeranaError(
      'USAGE',
      `--db-max-age must be a whole number of days, not ${JSON.stringify(maxAge)}`,
    );
  }
  const options: VulnerabilityScanOptions = {
    dbPath: stringOption(parsed, 'db') ?? defaultDatabasePath(),
    maxAgeDays: maxAge === undefined ? DEFAULT_MAX_AGE_DAYS : Number(maxAge),
  };
  if (severity !== undefined) options.severities = parseSeverityList(severity);
  if (flag(parsed, 'ignore-unfixed')) options.ignoreUnfixed = true;
  if (flag(parsed, 'include-os-owned-upstream')) options.includeOsOwnedUpstream = true;
  if (flag(parsed, 'debug')) options.debug = true;
  return { options, exitCode };
}
