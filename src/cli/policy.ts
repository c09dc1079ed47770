import { existsSync, writeFileSync } from 'node:fs';
import { CeranaError } from '../common/errors.js';
import { loadExceptions } from '../policy/exceptions.js';
import { gateScan } from '../policy/gate.js';
import { loadPolicy } from '../policy/policy.js';
import { renderSuppressed, renderVerdictTable } from '../policy/render.js';
import { readScanDocument } from '../policy/scan-document.js';
import { renderScoreExplanation } from '../policy/score.js';
import { STARTER_POLICY } from '../policy/starter.js';
import { applySuppressions, describeExpired } from '../policy/suppress.js';
import { loadThreatIntel } from '../policy/threat-intel.js';
import { loadOpenVex } from '../policy/vex.js';
import {
  type Command,
  choiceOption,
  flag,
  type OptionSpec,
  parseCommandArgs,
  stringOption,
} from './command.js';

const OPTIONS: OptionSpec = {
  stage: { type: 'string' },
  format: { type: 'string', short: 'f' },
  kev: { type: 'string' },
  epss: { type: 'string' },
  'explain-score': { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  force: { type: 'boolean' },
  exceptions: { type: 'string' },
  vex: { type: 'string', multiple: true },
  'show-suppressed': { type: 'boolean' },
};

const FORMATS = ['table', 'json'] as const;
const DEFAULT_POLICY_FILE = 'cerana-policy.yaml';

const USAGE = `Usage: cerana policy <test|check|init> [options]

  cerana policy test <policy.yaml> <scan.json...>   evaluate a stage on scan results ('cerana image -f json')
      --stage S             the stage to gate (default: the policy's first stage)
      --kev FILE            CISA KEV catalog JSON (known exploited vulnerabilities)
      --epss FILE           FIRST EPSS CSV (cve,epss,percentile)
      --explain-score       print every point the risk score lost, with its finding and factor
      --exceptions FILE     accepted risks (id, scope, reason, owner, expires); expired ones are reported
      --vex FILE            OpenVEX document: not_affected/fixed statements suppress vulnerabilities (repeatable)
      --show-suppressed     list the suppressed findings and why
      -f, --format F        table|json (default table)
      exit code 1 when the stage denies any scan
  cerana policy check <policy.yaml>                 load and type-check a policy
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
    const policy = loadPolicy(file);
    const stage = stringOption(parsed, 'stage') ?? [...policy.stages.keys()][0] ?? '';
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
    const showSuppressed = flag(parsed, 'show-suppressed');
    const now = new Date();
    const expiredSeen = new Set<string>();
    let exitCode: 0 | 1 = 0;
    const results = [];
    for (const path of scans) {
      const doc = readScanDocument(path);
      const suppression = applySuppressions(doc, { exceptions, vex, now });
      for (const line of describeExpired(suppression.expired)) {
        if (!expiredSeen.has(line)) io.stderr.write(`cerana: warning: ${line}\n`);
        expiredSeen.add(line);
      }
      const gate = gateScan(doc, { policy, stage, intel, findings: suppression.findings });
      if (gate.exitCode === 1) exitCode = 1;
      const suppressed = suppression.findings.filter((f) => f.suppressed);
      if (format === 'json') {
        results.push({
          scan: path,
          ref: doc.artifact.ref,
          ...gate.verdict,
          scoreBreakdown: gate.score,
          suppressed: showSuppressed ? suppressed : suppressed.length,
          expiredExceptions: suppression.expired.map((e) => ({
            id: e.id,
            source: e.source,
            owner: e.owner,
            expires: e.expires,
          })),
        });
      } else {
        io.stdout.write(renderVerdictTable(gate.verdict, doc.artifact.ref));
        if (suppressed.length > 0) io.stdout.write(renderSuppressed(suppressed, showSuppressed));
        if (flag(parsed, 'explain-score')) io.stdout.write(renderScoreExplanation(gate.score));
      }
    }
    if (format === 'json')
      io.stdout.write(`${JSON.stringify({ policy: policy.name, stage, results }, null, 2)}\n`);
    return exitCode;
  },
};
