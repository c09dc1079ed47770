import { alignColumns } from '../common/text-table.js';
import type { Finding, Severity } from './finding.js';
import { imageFacts } from './image-facts.js';
import { cvssOf } from './input.js';
import type { ScanDocument } from './scan-document.js';
import { collectFindings } from './scan-document.js';
import { EMPTY_INTEL, epssFor, kevFor, type ThreatIntel } from './threat-intel.js';

/**
 * The risk score, version 1 (docs/risk-score.md). All arithmetic is in integer hundredths of a
 * point ("centipoints") so the breakdown sums exactly to what was lost: 10000 − Σ points.
 * Changing any constant here changes the version.
 */
export const SCORE_VERSION = 'cerana-risk/2';

const FULL = 10_000;
const SEVERITY_BASE: Record<Severity, number> = {
  CRITICAL: 1000,
  HIGH: 400,
  MEDIUM: 125,
  LOW: 25,
  UNKNOWN: 25,
};
const SECRET_BASE = 2500;
const MALWARE_BASE = 5000;
const ROOT_PENALTY = 1500;
/** Multipliers on a finding's base, in percent. */
const KEV_PERCENT = 200;
const EPSS_PERCENT = 200; // times the EPSS probability
const FIX_PERCENT = 25;
const EXPOSURE_PERCENT: Record<string, number> = { internet: 50, external: 50, internal: 0 };
const CRITICALITY_PERCENT: Record<string, number> = { critical: 100, high: 50, medium: 0, low: 0 };
/** Dampening by rank (largest penalty first), in percent: the 11th finding weighs less than the 1st. */
function rankWeight(rank: number): number {
  if (rank < 10) return 100;
  if (rank < 30) return 50;
  return 10;
}

export type ScoreFactor =
  | 'severity'
  | 'kev'
  | 'epss'
  | 'fix-available'
  | 'exposure'
  | 'criticality'
  | 'secret'
  | 'malware'
  | 'root';

export interface ScoreEntry {
  /** The finding the points trace to (`image.user` for the root user). */
  finding: string;
  kind: Finding['kind'] | 'image';
  /** Package@version or path, when the finding has one. */
  target: string;
  factor: ScoreFactor;
  detail: string;
  /** Centipoints lost to this factor (after rank weight and the floor at 0). */
  points: number;
}

export interface ScoreResult {
  /** 0–100, two decimals; equals (10000 − Σ breakdown.points) / 100 exactly. */
  score: number;
  version: string;
  breakdown: ScoreEntry[];
  /** Findings that would have cost points after the score reached 0. */
  uncounted: number;
}

export interface ScoreContext {
  intel?: ThreatIntel;
  /** Workload labels overriding the image's (exposure, criticality). */
  labels?: Record<string, string>;
  /** Findings after exceptions/VEX; defaults to the document's. Suppressed ones never count. */
  findings?: Finding[];
}

interface Penalty {
  finding: Finding | undefined;
  id: string;
  kind: ScoreEntry['kind'];
  target: string;
  parts: { factor: ScoreFactor; detail: string; points: number }[];
  total: number;
}

function targetOf(f: Finding): string {
  if (f.package) return `${f.package.name}@${f.package.version}`;
  return f.location?.path ?? '';
}

function percentOf(base: number, percent: number): number {
  return Math.round((base * percent) / 100);
}

function findingPenalty(
  f: Finding,
  intel: ThreatIntel,
  exposure: number,
  criticality: number,
  labels: { exposure: string; criticality: string },
): Penalty | undefined {
  const parts: Penalty['parts'] = [];
  if (f.kind === 'secret')
    parts.push({ factor: 'secret', detail: `secret ${f.severity}`, points: SECRET_BASE });
  else if (f.kind === 'malware') parts.push({ factor: 'malware', detail: 'malware', points: MALWARE_BASE });
  else if (f.kind === 'vulnerability') {
    const cvss = cvssOf(f);
    const base = cvss > 0 ? Math.round(cvss ** 3) : (SEVERITY_BASE[f.severity] ?? SEVERITY_BASE.UNKNOWN);
    parts.push({ factor: 'severity', detail: cvss > 0 ? `CVSS ${cvss}` : f.severity, points: base });
    const kev = kevFor(intel, f);
    if (kev)
      parts.push({ factor: 'kev', detail: `CISA KEV ${kev.cveID}`, points: percentOf(base, KEV_PERCENT) });
    const epss = epssFor(intel, f);
    const epssPoints = Math.round((base * EPSS_PERCENT * epss) / 100);
    if (epssPoints > 0) parts.push({ factor: 'epss', detail: `EPSS ${epss}`, points: epssPoints });
    if ((f.fixedIn ?? []).length > 0) {
      parts.push({
        factor: 'fix-available',
        detail: `fixed in ${f.fixedIn?.[0]}`,
        points: percentOf(base, FIX_PERCENT),
      });
    }
  } else {
    parts.push({
      factor: 'severity',
      detail: f.severity,
      points: Math.round((SEVERITY_BASE[f.severity] ?? 25) / 2),
    });
  }
  const subtotal = parts.reduce((sum, p) => sum + p.points, 0);
  if (exposure > 0)
    parts.push({
      factor: 'exposure',
      detail: `exposure ${labels.exposure}`,
      points: percentOf(subtotal, exposure),
    });
  if (criticality > 0) {
    parts.push({
      factor: 'criticality',
      detail: `criticality ${labels.criticality}`,
      points: percentOf(subtotal, criticality),
    });
  }
  const total = parts.reduce((sum, p) => sum + p.points, 0);
  if (total === 0) return undefined;
  return { finding: f, id: f.id, kind: f.kind, target: targetOf(f), parts, total };
}

/**
 * What one finding costs an image before rank dampening and the floor: the risk a fix removes,
 * which `plan` ranks actions by. 0 for suppressed findings.
 */
export function findingRisk(
  f: Finding,
  intel: ThreatIntel,
  facts: { exposure: string; criticality: string },
): number {
  if (f.suppressed) return 0;
  const exposure = EXPOSURE_PERCENT[facts.exposure] ?? 0;
  const criticality = CRITICALITY_PERCENT[facts.criticality] ?? 0;
  return findingPenalty(f, intel, exposure, criticality, facts)?.total ?? 0;
}

/**
 * A finding about the image config's User (the hygiene check "runs as root"): the flat root
 * penalty already stands for it, and counting it too would charge root twice.
 */
function restatesRoot(f: Finding): boolean {
  return f.kind === 'misconfiguration' && f.location.object === 'config:User';
}

/** Deterministic: the same document, context and formula version always give the same breakdown. */
export function scoreScan(doc: ScanDocument, context: ScoreContext = {}): ScoreResult {
  const intel = context.intel ?? EMPTY_INTEL;
  const facts = imageFacts(doc, context.labels);
  const exposure = EXPOSURE_PERCENT[facts.exposure] ?? 0;
  const criticality = CRITICALITY_PERCENT[facts.criticality] ?? 0;
  const findings = (context.findings ?? collectFindings(doc)).filter(
    (f) => !f.suppressed && !(facts.runsAsRoot && restatesRoot(f)),
  );
  const penalties: Penalty[] = [];
  for (const f of findings) {
    const p = findingPenalty(f, intel, exposure, criticality, facts);
    if (p) penalties.push(p);
  }
  penalties.sort((a, b) => b.total - a.total || cmp(a.id, b.id) || cmp(a.target, b.target));
  const ranked: Penalty[] = [];
  if (facts.runsAsRoot) {
    ranked.push({
      finding: undefined,
      id: 'image.user',
      kind: 'image',
      target: facts.user === '' ? '(no USER)' : facts.user,
      parts: [{ factor: 'root', detail: 'runs as root', points: ROOT_PENALTY }],
      total: ROOT_PENALTY,
    });
  }
  ranked.push(...penalties);

  let budget = FULL;
  let uncounted = 0;
  const breakdown: ScoreEntry[] = [];
  ranked.forEach((penalty, index) => {
    // The root entry is not a finding and is not dampened; findings are ranked among themselves.
    const rank = facts.runsAsRoot ? index - 1 : index;
    const weight = penalty.kind === 'image' ? 100 : rankWeight(rank);
    let counted = false;
    for (const part of penalty.parts) {
      const weighted = Math.round((part.points * weight) / 100);
      const points = Math.min(weighted, budget);
      if (points <= 0) continue;
      counted = true;
      budget -= points;
      breakdown.push({
        finding: penalty.id,
        kind: penalty.kind,
        target: penalty.target,
        factor: part.factor,
        detail: weight === 100 ? part.detail : `${part.detail} ×${weight}% (rank ${rank + 1})`,
        points,
      });
    }
    if (!counted) uncounted++;
  });
  return { score: budget / 100, version: SCORE_VERSION, breakdown, uncounted };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function points(centi: number): string {
  return (centi / 100).toFixed(2);
}

/** The `--explain-score` text: the score, then every lost point with its finding and factor. */
export function renderScoreExplanation(result: ScoreResult, limit = Number.POSITIVE_INFINITY): string {
  const lost = result.breakdown.reduce((sum, e) => sum + e.points, 0);
  const lines = [
    `Risk score ${result.score.toFixed(2)}/100 (${result.version}): ${points(lost)} points lost`,
  ];
  if (result.breakdown.length === 0) return `${lines[0]}\n`;
  const rows = result.breakdown
    .slice(0, limit)
    .map((e) => [`-${points(e.points)}`, e.finding, e.target, e.factor, e.detail]);
  lines.push(...alignColumns([['LOST', 'FINDING', 'TARGET', 'FACTOR', 'DETAIL'], ...rows]));
  if (result.breakdown.length > limit) {
    const rest = result.breakdown.slice(limit).reduce((sum, e) => sum + e.points, 0);
    lines.push(`-${points(rest)}  … ${result.breakdown.length - limit} more entries`);
  }
  if (result.uncounted > 0)
    lines.push(`${result.uncounted} more findings did not count: the score is already 0`);
  return `${lines.join('\n')}\n`;
}
