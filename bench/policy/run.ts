/**
 * Policy gate and fix plan throughput on a synthetic fleet (test/policy/fleet.ts): a 20-rule
 * policy evaluated on 10,000 scan results (score + typed input + 20 CEL rules each; target
 * ≥ 2,000 results/s), and a fix plan built over all of them (target < 10 s). The baseline,
 * measured in the same run, is the same 20 checks written as plain TypeScript closures over
 * the same typed input: the ratio is the price of policies as CEL data.
 *
 *   npx vite-node bench/policy/run.ts [--scans 10000] [--extra 50] [--json]
 */
import { performance } from 'node:perf_hooks';
import { evaluateStage } from '../../src/policy/evaluate.js';
import type { FindingView, PolicyInput } from '../../src/policy/input.js';
import { buildPolicyInput } from '../../src/policy/input.js';
import { buildPlan } from '../../src/policy/plan.js';
import { parsePolicy, policyStage } from '../../src/policy/policy.js';
import { scoreScan } from '../../src/policy/score.js';
import { parseEpssCsv, parseKevCatalog, type ThreatIntel } from '../../src/policy/threat-intel.js';
import { syntheticFleet } from '../../test/policy/fleet.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SCANS = arg('scans', 10_000);
/** Findings per image beyond the fleet's base and app ones: real images carry dozens. */
const EXTRA = arg('extra', 50);
const json = process.argv.includes('--json');

/** [id, CEL, the same check in TypeScript]. */
const RULES: [string, string, (i: PolicyInput) => boolean][] = [
  [
    'crit-fixable',
    'findings.exists(f, f.severity == "CRITICAL" && f.fixAvailable && !f.suppressed)',
    (i) => i.findings.some((f) => f.severity === 'CRITICAL' && f.fixAvailable && !f.suppressed),
  ],
  ['kev', 'findings.exists(f, f.kev)', (i) => i.findings.some((f) => f.kev)],
  ['epss', 'findings.exists(f, f.epss > 0.7)', (i) => i.findings.some((f) => f.epss > 0.7)],
  ['secrets', 'findings.exists(f, f.kind == "secret")', (i) => i.findings.some((f) => f.kind === 'secret')],
  ['malware', 'findings.exists(f, f.kind == "malware")', (i) => i.findings.some((f) => f.kind === 'malware')],
  ['root', 'image.runsAsRoot', (i) => i.image.runsAsRoot],
  ['pinned', '!image.basePinned', (i) => !i.image.basePinned],
  ['eol', 'os.eol', (i) => i.os.eol],
  ['score', 'score < 30', (i) => i.score < 30n],
  [
    'high-count',
    'findings.filter(f, severityAtLeast(f.severity, "HIGH")).size() > 5',
    (i) => i.findings.filter((f) => f.severity === 'CRITICAL' || f.severity === 'HIGH').length > 5,
  ],
  [
    'lodash',
    'findings.exists(f, f.packageName == "lodash" && f.fixAvailable)',
    (i) => i.findings.some((f) => f.packageName === 'lodash' && f.fixAvailable),
  ],
  [
    'internet-high',
    'image.exposure == "internet" && findings.exists(f, f.severity == "HIGH")',
    (i) => i.image.exposure === 'internet' && i.findings.some((f) => f.severity === 'HIGH'),
  ],
  [
    'critical-app',
    'image.criticality == "high" && score < 60',
    (i) => i.image.criticality === 'high' && i.score < 60n,
  ],
  ['team-label', '!("team" in image.labels)', (i) => !i.image.labels.has('team')],
  [
    'registry',
    '!image.ref.startsWith("registry.example/")',
    (i) => !i.image.ref.startsWith('registry.example/'),
  ],
  ['cvss9', 'findings.exists(f, f.cvss >= 9.0)', (i) => i.findings.some((f: FindingView) => f.cvss >= 9)],
  [
    'npm-crit',
    'findings.exists(f, f.packageType == "npm" && f.severity == "CRITICAL")',
    (i) => i.findings.some((f) => f.packageType === 'npm' && f.severity === 'CRITICAL'),
  ],
  [
    'unfixed-all',
    'findings.size() > 0 && findings.all(f, !f.fixAvailable)',
    (i) => i.findings.length > 0 && i.findings.every((f) => !f.fixAvailable),
  ],
  ['signed', 'trust.known && !trust.verified', (i) => i.trust.known && !i.trust.verified],
  ['many', 'size(findings) > 50', (i) => i.findings.length > 50],
];

const policyText = `apiVersion: cerana.io/v1
kind: Policy
metadata: {name: bench}
rules:
${RULES.map(([id, expr]) => `  - id: ${id}\n    expr: ${JSON.stringify(expr)}`).join('\n')}
stages:
  ci: {minScore: 10}
`;

const intel: ThreatIntel = {
  ...parseKevCatalog(
    JSON.stringify({ catalogVersion: 'bench', vulnerabilities: [{ cveID: 'CVE-2023-4911' }] }),
  ),
  ...parseEpssCsv(
    '#model_version:bench\ncve,epss,percentile\nCVE-2023-4911,0.5,0.97\nCVE-2021-23337,0.02,0.6\n',
  ),
};

const fleet = syntheticFleet({ size: SCANS, seed: 7, extra: EXTRA });
const findingsTotal = fleet.reduce(
  (n, d) => n + (d.vulnerabilities?.findings.length ?? 0) + (d.findings?.length ?? 0),
  0,
);
const stage = policyStage(parsePolicy(policyText, 'bench.yaml'), 'ci');

// Warm up both paths (JIT) on a slice, then measure.
const inputs: PolicyInput[] = [];
for (const doc of fleet.slice(0, 200))
  evaluateStage(stage, buildPolicyInput(doc, { intel, score: scoreScan(doc, { intel }).score }));

let denied = 0;
let t0 = performance.now();
for (const doc of fleet) {
  const score = scoreScan(doc, { intel });
  const input = buildPolicyInput(doc, { intel, score: score.score });
  if (evaluateStage(stage, input).outcome === 'deny') denied++;
  inputs.push(input);
}
const gateMs = performance.now() - t0;

t0 = performance.now();
let celOnlyFired = 0;
for (const input of inputs) for (const rule of stage.rules) if (rule.compiled(input) === true) celOnlyFired++;
const celMs = performance.now() - t0;

t0 = performance.now();
let nativeFired = 0;
for (const input of inputs) for (const [, , check] of RULES) if (check(input)) nativeFired++;
const nativeMs = performance.now() - t0;
if (nativeFired !== celOnlyFired)
  throw new Error(`CEL and TypeScript disagree: ${celOnlyFired} vs ${nativeFired} rules fired`);

t0 = performance.now();
const plan = buildPlan(fleet, { intel });
const planMs = performance.now() - t0;

const results = {
  scans: SCANS,
  findings: findingsTotal,
  rules: RULES.length,
  gate: {
    ms: Math.round(gateMs),
    resultsPerSecond: Math.round(SCANS / (gateMs / 1000)),
    denied,
    target: '>= 2000/s',
  },
  rulesOnly: {
    celMs: Math.round(celMs),
    nativeMs: Math.round(nativeMs),
    ratio: Number((celMs / Math.max(nativeMs, 0.001)).toFixed(1)),
    fired: celOnlyFired,
  },
  plan: {
    ms: Math.round(planMs),
    actions: plan.actions.length,
    first: plan.actions[0]?.title ?? '',
    target: '< 10000 ms',
  },
};
if (json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  console.log(`policy bench: ${SCANS} scans, ${findingsTotal} findings, ${RULES.length} rules`);
  console.log(
    `  gate (score + input + 20 CEL rules): ${results.gate.ms} ms = ${results.gate.resultsPerSecond} results/s (target >= 2000/s), ${denied} denied`,
  );
  console.log(
    `  rules only: CEL ${results.rulesOnly.celMs} ms vs TypeScript closures ${results.rulesOnly.nativeMs} ms = ${results.rulesOnly.ratio}x baseline (${celOnlyFired} rule hits, identical)`,
  );
  console.log(
    `  plan over ${SCANS} scans: ${results.plan.ms} ms (target < 10000 ms), ${plan.actions.length} actions; first: ${results.plan.first}`,
  );
}
