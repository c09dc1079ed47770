import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CeranaError } from '../common/errors.js';
import type { PolicyException } from '../policy/exceptions.js';
import { loadExceptions } from '../policy/exceptions.js';
import { gateScan } from '../policy/gate.js';
import { loadPolicy, type Policy } from '../policy/policy.js';
import { renderSuppressed, renderVerdictTable } from '../policy/render.js';
import type { ScanDocument } from '../policy/scan-document.js';
import { readScanDocument } from '../policy/scan-document.js';
import { renderScoreExplanation, type ScoreResult, scoreScan } from '../policy/score.js';
import { STARTER_POLICY } from '../policy/starter.js';
import { applySuppressions, describeExpired } from '../policy/suppress.js';
import type { ThreatIntel } from '../policy/threat-intel.js';
import { loadThreatIntel } from '../policy/threat-intel.js';
import { loadCachedThreatIntel, updateThreatIntel } from '../policy/threat-intel-update.js';
import type { OpenVexDocument } from '../policy/vex.js';
import { loadOpenVex } from '../policy/vex.js';
import {
  type Command,
  choiceOption,
  flag,
  type OptionSpec,
  type ParsedArgs,
  parseCommandArgs,
  stringOption,
} from './command.js';
import { defaultCacheDir } from './defaults.js';

/** Flags any command that gates a scan result takes; `cerana image` spreads them into its own. */
export const POLICY_GATE_OPTIONS: OptionSpec = {
  policy: { type: 'string' },
  stage: { type: 'string' },
  kev: { type: 'string' },
  epss: { type: 'string' },
  'explain-score': { type: 'boolean' },
  exceptions: { type: 'string' },
  vex: { type: 'string', multiple: true },
  'show-suppressed': { type: 'boolean' },
};

export const POLICY_GATE_USAGE = `  --policy FILE         gate the result on a policy (YAML, CEL rules per stage); exit 1 when it denies
  --stage S             the policy stage (default: the policy's first stage)
  --kev FILE            CISA KEV catalog JSON (default: the copy 'cerana policy intel-update' fetched)
  --epss FILE           FIRST EPSS CSV (cve,epss,percentile) (default: likewise)
  --explain-score       print every point the risk score lost, with its finding and factor
  --exceptions FILE     accepted risks (id, scope, reason, owner, expires); expired ones are reported
  --vex FILE            OpenVEX document: not_affected/fixed statements suppress vulnerabilities (repeatable)
  --show-suppressed     list the suppressed findings and why`;

/** Where `policy intel-update` keeps the KEV catalog and EPSS scores. */
export function threatIntelDir(): string {
  return join(defaultCacheDir(), 'threat-intel');
}

/** What the gate flags resolved to: loaded once, applied to every scan result. */
export interface PolicyGateContext {
  policy?: Policy;
  stage: string;
  intel: ThreatIntel;
  exceptions: PolicyException[];
  vex: { doc: OpenVexDocument; origin: string }[];
  showSuppressed: boolean;
  explainScore: boolean;
  now: Date;
  /** Expired-exception warnings already printed (each once per run). */
  warned: Set<string>;
}

export function policyGateContext(
  parsed: ParsedArgs,
  policyFile = stringOption(parsed, 'policy'),
): PolicyGateContext {
  const policy = policyFile === undefined ? undefined : loadPolicy(policyFile);
  const kev = stringOption(parsed, 'kev');
  const epss = stringOption(parsed, 'epss');
  const exceptionsFile = stringOption(parsed, 'exceptions');
  const vexFiles = parsed.values.vex;
  const context: PolicyGateContext = {
    stage: stringOption(parsed, 'stage') ?? (policy ? ([...policy.stages.keys()][0] ?? '') : ''),
    // Explicit files win; else whatever 'cerana policy intel-update' last fetched.
    intel:
      kev || epss
        ? loadThreatIntel({ ...(kev ? { kev } : {}), ...(epss ? { epss } : {}) })
        : loadCachedThreatIntel(threatIntelDir()),
    exceptions: exceptionsFile === undefined ? [] : loadExceptions(exceptionsFile),
    vex: (Array.isArray(vexFiles) ? vexFiles : []).map((origin) => ({ doc: loadOpenVex(origin), origin })),
    showSuppressed: flag(parsed, 'show-suppressed'),
    explainScore: flag(parsed, 'explain-score'),
    now: new Date(),
    warned: new Set(),
  };
  if (policy) context.policy = policy;
  return context;
}

export interface PolicyGateOutcome {
  /** The verdict table, the suppressed findings and, with --explain-score, the score breakdown. */
  text: string;
  /** For `-f json` reports: verdict (when a policy is given), score breakdown, suppressed, expired exceptions. */
  json: Record<string, unknown>;
  /** 1 when the policy stage denies, else 0. */
  exitCode: 0 | 1;
}

/**
 * Scores one scan result, applies exceptions and VEX and, when a policy is given, gates it.
 * Expired exceptions are warned about on stderr once per run.
 */
export function runPolicyGate(
  doc: ScanDocument,
  context: PolicyGateContext,
  stderr: NodeJS.WritableStream,
): PolicyGateOutcome {
  const suppression = applySuppressions(doc, {
    exceptions: context.exceptions,
    vex: context.vex,
    now: context.now,
  });
  for (const line of describeExpired(suppression.expired)) {
    if (!context.warned.has(line)) stderr.write(`cerana: warning: ${line}\n`);
    context.warned.add(line);
  }
  const suppressed = suppression.findings.filter((f) => f.suppressed);
  const json: Record<string, unknown> = {
    suppressed: context.showSuppressed ? suppressed : suppressed.length,
    expiredExceptions: suppression.expired.map((e) => ({
      id: e.id,
      source: e.source,
      owner: e.owner,
      expires: e.expires,
    })),
  };
  let text = '';
  let exitCode: 0 | 1 = 0;
  let score: ScoreResult;
  if (context.policy) {
    const gate = gateScan(doc, {
      policy: context.policy,
      stage: context.stage,
      intel: context.intel,
      findings: suppression.findings,
    });
    score = gate.score;
    exitCode = gate.exitCode;
    Object.assign(json, gate.verdict);
    text += renderVerdictTable(gate.verdict, doc.artifact.ref);
  } else {
    score = scoreScan(doc, { intel: context.intel, findings: suppression.findings });
  }
  json.scoreBreakdown = score;
  if (suppressed.length > 0) text += renderSuppressed(suppressed, context.showSuppressed);
  if (context.explainScore) text += renderScoreExplanation(score);
  return { text, json, exitCode };
}

const OPTIONS: OptionSpec = {
  ...POLICY_GATE_OPTIONS,
  format: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  force: { type: 'boolean' },
  'kev-url': { type: 'string' },
  'epss-url': { type: 'string' },
};

const FORMATS = ['table', 'json'] as const;
const DEFAULT_POLICY_FILE = 'cerana-policy.yaml';

const USAGE = `Usage: cerana policy <test|check|init|intel-update> [options]

  cerana policy test <policy.yaml> <scan.json...>   evaluate a stage on scan results ('cerana image -f json')
${POLICY_GATE_USAGE.split('\n')
  .slice(1)
  .map((l) => `    ${l}`)
  .join('\n')}
      -f, --format F        table|json (default table)
      exit code 1 when the stage denies any scan
  cerana policy check <policy.yaml>                 load and type-check a policy
  cerana policy intel-update [--kev-url U] [--epss-url U]
      fetch the CISA KEV catalog and FIRST EPSS scores into the cache (conditional GET)
  cerana policy init [-o FILE] [--force]            write a commented starter policy (default ${DEFAULT_POLICY_FILE})`;

export const policyCommand: Command = {
  name: 'policy',
  summary: 'Test scan results against a policy (CEL rules per stage), write a starter policy',
  usage: USAGE,

  async run(args, io) {
    const [verb, ...rest] = args;
    const parsed = parseCommandArgs('policy', rest, OPTIONS);
    if (verb === 'init') {
      const path = stringOption(parsed, 'output') ?? DEFAULT_POLICY_FILE;
      if (existsSync(path) && !flag(parsed, 'force')) {
        throw new CeranaError('USAGE', `${path} exists`, { hint: 'pass --force to overwrite it' });
      }
      writeFileSync(path, STARTER_POLICY);
      io.stdout.write(`wrote ${path}\n`);
      return 0;
    }
    if (verb === 'intel-update') {
      const kevUrl = stringOption(parsed, 'kev-url');
      const epssUrl = stringOption(parsed, 'epss-url');
      const result = await updateThreatIntel({
        dir: threatIntelDir(),
        ...(kevUrl ? { kevUrl } : {}),
        ...(epssUrl ? { epssUrl } : {}),
      });
      for (const [name, feed] of Object.entries(result)) {
        io.stdout.write(
          `${name}: ${feed.status}, ${feed.entries} entries${feed.version ? ` (${feed.version})` : ''}\n`,
        );
      }
      return 0;
    }
    if (verb === 'check') {
      const [file] = parsed.positionals;
      if (file === undefined) throw new CeranaError('USAGE', 'policy check: expected a policy file');
      const policy = loadPolicy(file);
      const stages = [...policy.stages.values()].map(
        (s) => `${s.name} (${s.rules.length} rules, minScore ${s.minScore})`,
      );
      io.stdout.write(`${file}: policy ${policy.name} is valid: ${stages.join(', ')}\n`);
      return 0;
    }
    if (verb !== 'test') {
      throw new CeranaError('USAGE', `policy: unknown subcommand ${JSON.stringify(verb ?? '')}`, {
        hint: "see 'cerana policy --help'",
      });
    }
    const [file, ...scans] = parsed.positionals;
    if (file === undefined || scans.length === 0) {
      throw new CeranaError('USAGE', 'policy test: expected a policy file and at least one scan result');
    }
    const format = choiceOption(parsed, 'format', FORMATS, 'table');
    const context = policyGateContext(parsed, file);
    let exitCode: 0 | 1 = 0;
    const results = [];
    for (const path of scans) {
      const doc = readScanDocument(path);
      const outcome = runPolicyGate(doc, context, io.stderr);
      if (outcome.exitCode === 1) exitCode = 1;
      if (format === 'json') results.push({ scan: path, ref: doc.artifact.ref, ...outcome.json });
      else io.stdout.write(outcome.text);
    }
    if (format === 'json') {
      io.stdout.write(
        `${JSON.stringify({ policy: context.policy?.name, stage: context.stage, results }, null, 2)}\n`,
      );
    }
    return exitCode;
  },
};
