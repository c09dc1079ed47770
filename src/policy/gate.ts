import { evaluateStage, type StageVerdict } from './evaluate.js';
import type { Finding } from './finding.js';
import { buildPolicyInput } from './input.js';
import { type Policy, policyStage } from './policy.js';
import type { ScanDocument } from './scan-document.js';
import { collectFindings } from './scan-document.js';
import { type ScoreResult, scoreScan } from './score.js';
import { EMPTY_INTEL, type ThreatIntel } from './threat-intel.js';

export interface GateOptions {
  policy: Policy;
  stage: string;
  intel?: ThreatIntel;
  /** Workload labels overriding the image's (exposure, criticality). */
  labels?: Record<string, string>;
  /** Findings with exceptions/VEX applied (see `applySuppressions`); defaults to the document's. */
  findings?: Finding[];
}

export interface GateResult {
  verdict: StageVerdict;
  score: ScoreResult;
  /** 1 when the stage denies, else 0 (the CLI's exit code). */
  exitCode: 0 | 1;
}

/** Scores a scan result and evaluates one stage of a policy over it. */
export function gateScan(doc: ScanDocument, options: GateOptions): GateResult {
  const stage = policyStage(options.policy, options.stage);
  const intel = options.intel ?? EMPTY_INTEL;
  const findings = options.findings ?? collectFindings(doc);
  const context = { intel, findings, ...(options.labels ? { labels: options.labels } : {}) };
  const score = scoreScan(doc, context);
  const input = buildPolicyInput(doc, { ...context, score: score.score });
  const verdict = evaluateStage(stage, input);
  return { verdict, score, exitCode: verdict.outcome === 'deny' ? 1 : 0 };
}
