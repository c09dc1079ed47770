import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CeranaError } from '../common/errors.js';
import { loadExceptions } from '../policy/exceptions.js';
import { buildPlan } from '../policy/plan.js';
import { renderPlanJson, renderPlanMarkdown, renderPlanTable } from '../policy/render-plan.js';
import { readScanDocument } from '../policy/scan-document.js';
import { applySuppressions, describeExpired } from '../policy/suppress.js';
import { loadThreatIntel } from '../policy/threat-intel.js';
import { loadOpenVex } from '../policy/vex.js';
import {
  type Command,
  choiceOption,
  integerOption,
  type OptionSpec,
  parseCommandArgs,
  stringOption,
} from './command.js';

const OPTIONS: OptionSpec = {
  format: { type: 'string', short: 'f' },
  top: { type: 'string' },
  kev: { type: 'string' },
  epss: { type: 'string' },
  exceptions: { type: 'string' },
  vex: { type: 'string', multiple: true },
};
const FORMATS = ['table', 'json', 'markdown'] as const;

/** Scan result files: the files named, and the `*.json` files directly inside directories named. */
export function scanFiles(paths: string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch (error) {
      throw new CeranaError('INPUT', `cannot read ${path}: ${(error as Error).message}`);
    }
    if (!isDir) {
      files.push(path);
      continue;
    }
    const inside = readdirSync(path)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => join(path, name));
    files.push(...inside);
  }
  return files;
}

export const planCommand: Command = {
  name: 'plan',
  summary:
    'Rank the changes (package upgrades, base image rebuilds) that remove the most risk across many scans',
  usage: `Usage: cerana plan <scan.json...|dir...> [options]

Groups vulnerability findings by what fixes them: rebuilding on a newer base image (when the
package came from the base's layers, found from org.opencontainers.image.base.name and the
layers images of one base share) or upgrading a package; ranks by risk removed (cerana-risk/2
points, weighted by cerana.io/exposure and cerana.io/criticality labels).
  -f, --format F        table|json|markdown (default table)
  --top N               show the N best actions (default 10)
  --kev FILE            CISA KEV catalog JSON
  --epss FILE           FIRST EPSS CSV
  --exceptions FILE     accepted risks: excepted findings need no action
  --vex FILE            OpenVEX document (repeatable)`,

  async run(args, io) {
    const parsed = parseCommandArgs('plan', args, OPTIONS);
    if (parsed.positionals.length === 0) {
      throw new CeranaError('USAGE', 'plan: expected scan results or directories', {
        hint: "see 'cerana plan --help'",
      });
    }
    const format = choiceOption(parsed, 'format', FORMATS, 'table');
    const top = integerOption(parsed, 'top') ?? 10;
    const kev = stringOption(parsed, 'kev');
    const epss = stringOption(parsed, 'epss');
    const intel = loadThreatIntel({ ...(kev ? { kev } : {}), ...(epss ? { epss } : {}) });
    const exceptionsFile = stringOption(parsed, 'exceptions');
    const exceptions = exceptionsFile === undefined ? [] : loadExceptions(exceptionsFile);
    const vexFiles = parsed.values.vex;
    const vex = (Array.isArray(vexFiles) ? vexFiles : []).map((origin) => ({
      doc: loadOpenVex(origin),
      origin,
    }));
    const files = scanFiles(parsed.positionals);
    if (files.length === 0) throw new CeranaError('INPUT', 'plan: no scan results (*.json) found');
    const docs = files.map(readScanDocument);
    const now = new Date();
    const expired = new Set<string>();
    const findings = docs.map((doc) => {
      const result = applySuppressions(doc, { exceptions, vex, now });
      for (const line of describeExpired(result.expired)) expired.add(line);
      return result.findings;
    });
    for (const line of expired) io.stderr.write(`cerana: warning: ${line}\n`);
    const plan = buildPlan(docs, { intel, findings });
    const render =
      format === 'json' ? renderPlanJson : format === 'markdown' ? renderPlanMarkdown : renderPlanTable;
    io.stdout.write(render(plan, top));
    return 0;
  },
};
