import calculator from 'ae-cvss-calculator';

/**
 * CVSS vectors as OSV carries them (`severity[].score` of type CVSS_V2, CVSS_V3, CVSS_V4), checked
 * against the metric tables of the FIRST specifications and scored by ae-cvss-calculator. The
 * calculator is lenient (it scores `CVSS:3.1/AV:N` as 0 and repeated metrics as the last one), so
 * every vector is validated here first: a vector Cerana scores is one the specification defines.
 */

export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0';

/** The qualitative rating of a score (CVSS v2 has no NONE or CRITICAL). */
export type CvssRating = 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

export interface CvssScore {
  version: CvssVersion;
  /** The vector as given. */
  vector: string;
  /** Base score, 0.0 to 10.0 (for v4: CVSS-B, the base metrics alone). */
  base: number;
  /** The score of every metric group the vector sets (v3: environmental or temporal when set; v4: CVSS-BT/BE/BTE). */
  overall: number;
  rating: CvssRating;
  /** v4 nomenclature (`CVSS-B`, `CVSS-BT`...), telling which metric groups the overall score covers. */
  nomenclature?: string;
}

export type CvssParse = { ok: true; score: CvssScore } | { ok: false; error: string };

type MetricTable = Readonly<Record<string, readonly string[]>>;

const V2_BASE: MetricTable = {
  AV: ['L', 'A', 'N'],
  AC: ['H', 'M', 'L'],
  Au: ['M', 'S', 'N'],
  C: ['N', 'P', 'C'],
  I: ['N', 'P', 'C'],
  A: ['N', 'P', 'C'],
};
const V2_OPTIONAL: MetricTable = {
  E: ['U', 'POC', 'F', 'H', 'ND'],
  RL: ['OF', 'TF', 'W', 'U', 'ND'],
  RC: ['UC', 'UR', 'C', 'ND'],
  CDP: ['N', 'L', 'LM', 'MH', 'H', 'ND'],
  TD: ['N', 'L', 'M', 'H', 'ND'],
  CR: ['L', 'M', 'H', 'ND'],
  IR: ['L', 'M', 'H', 'ND'],
  AR: ['L', 'M', 'H', 'ND'],
};

const V3_BASE: MetricTable = {
  AV: ['N', 'A', 'L', 'P'],
  AC: ['L', 'H'],
  PR: ['N', 'L', 'H'],
  UI: ['N', 'R'],
  S: ['U', 'C'],
  C: ['H', 'L', 'N'],
  I: ['H', 'L', 'N'],
  A: ['H', 'L', 'N'],
};
const V3_OPTIONAL: MetricTable = {
  E: ['X', 'H', 'F', 'P', 'U'],
  RL: ['X', 'U', 'W', 'T', 'O'],
  RC: ['X', 'C', 'R', 'U'],
  CR: ['X', 'H', 'M', 'L'],
  IR: ['X', 'H', 'M', 'L'],
  AR: ['X', 'H', 'M', 'L'],
  MAV: ['X', 'N', 'A', 'L', 'P'],
  MAC: ['X', 'L', 'H'],
  MPR: ['X', 'N', 'L', 'H'],
  MUI: ['X', 'N', 'R'],
  MS: ['X', 'U', 'C'],
  MC: ['X', 'H', 'L', 'N'],
  MI: ['X', 'H', 'L', 'N'],
  MA: ['X', 'H', 'L', 'N'],
};

const V4_BASE: MetricTable = {
  AV: ['N', 'A', 'L', 'P'],
  AC: ['L', 'H'],
  AT: ['N', 'P'],
  PR: ['N', 'L', 'H'],
  UI: ['N', 'P', 'A'],
  VC: ['H', 'L', 'N'],
  VI: ['H', 'L', 'N'],
  VA: ['H', 'L', 'N'],
  SC: ['H', 'L', 'N'],
  SI: ['H', 'L', 'N'],
  SA: ['H', 'L', 'N'],
};
const V4_OPTIONAL: MetricTable = {
  E: ['X', 'A', 'P', 'U'],
  CR: ['X', 'H', 'M', 'L'],
  IR: ['X', 'H', 'M', 'L'],
  AR: ['X', 'H', 'M', 'L'],
  MAV: ['X', 'N', 'A', 'L', 'P'],
  MAC: ['X', 'L', 'H'],
  MAT: ['X', 'N', 'P'],
  MPR: ['X', 'N', 'L', 'H'],
  MUI: ['X', 'N', 'P', 'A'],
  MVC: ['X', 'H', 'L', 'N'],
  MVI: ['X', 'H', 'L', 'N'],
  MVA: ['X', 'H', 'L', 'N'],
  MSC: ['X', 'H', 'L', 'N'],
  MSI: ['X', 'S', 'H', 'L', 'N'],
  MSA: ['X', 'S', 'H', 'L', 'N'],
  S: ['X', 'N', 'P'],
  AU: ['X', 'N', 'Y'],
  R: ['X', 'A', 'U', 'I'],
  V: ['X', 'D', 'C'],
  RE: ['X', 'L', 'M', 'H'],
  U: ['X', 'Clear', 'Green', 'Amber', 'Red'],
};

/** No real vector comes near this; the cap bounds the work on hostile input. */
const MAX_VECTOR_LENGTH = 256;

export function parseCvss(vector: string): CvssParse {
  const text = vector.trim();
  if (text === '') return { ok: false, error: 'empty CVSS vector' };
  if (text.length > MAX_VECTOR_LENGTH) return { ok: false, error: 'CVSS vector is too long' };
  const prefix = /^CVSS:(3\.0|3\.1|4\.0)\//.exec(text);
  // CVSS v2 vectors have no prefix; some sources write `(AV:N/...)` or `CVSS:2.0/`.
  const v2 = /^(?:CVSS:2\.0\/|\()?(AV:[^)]*)\)?$/.exec(text);
  if (prefix === null && v2 === null) return { ok: false, error: `not a CVSS vector: ${shown(text)}` };
  const version = (prefix?.[1] ?? '2.0') as CvssVersion;
  const body = prefix !== null ? text.slice(prefix[0].length) : (v2?.[1] ?? '');
  const [base, optional] =
    version === '2.0'
      ? [V2_BASE, V2_OPTIONAL]
      : version === '4.0'
        ? [V4_BASE, V4_OPTIONAL]
        : [V3_BASE, V3_OPTIONAL];
  const seen = new Set<string>();
  for (const part of body.split('/')) {
    const colon = part.indexOf(':');
    const metric = colon < 0 ? part : part.slice(0, colon);
    const value = colon < 0 ? '' : part.slice(colon + 1);
    const allowed = base[metric] ?? optional[metric];
    if (allowed === undefined)
      return { ok: false, error: `CVSS ${version}: unknown metric ${shown(metric)}` };
    if (seen.has(metric)) return { ok: false, error: `CVSS ${version}: metric ${metric} is set twice` };
    if (!allowed.includes(value)) {
      return {
        ok: false,
        error: `CVSS ${version}: ${metric} cannot be ${shown(value)} (${allowed.join(', ')})`,
      };
    }
    seen.add(metric);
  }
  const missing = Object.keys(base).filter((metric) => !seen.has(metric));
  if (missing.length > 0) {
    return { ok: false, error: `CVSS ${version}: base metric(s) ${missing.join(', ')} missing` };
  }
  return { ok: true, score: score(version, text, body) };
}

function score(version: CvssVersion, vector: string, body: string): CvssScore {
  if (version === '4.0') {
    const cvss = new calculator.Cvss4P0(vector);
    const scores = cvss.calculateScores();
    const base = scores.baseMetricsOnly ?? scores.base ?? 0;
    return {
      version,
      vector,
      base,
      overall: scores.overall,
      rating: ratingOf(base, version),
      nomenclature: cvss.getNomenclature(),
    };
  }
  const cvss =
    version === '2.0'
      ? new calculator.Cvss2(body)
      : version === '3.0'
        ? new calculator.Cvss3P0(vector)
        : new calculator.Cvss3P1(vector);
  const scores = cvss.calculateScores();
  const base = scores.base ?? 0;
  return { version, vector, base, overall: scores.overall, rating: ratingOf(base, version) };
}

/** The rating bands of each specification (v2: NVD's bands, as v2 itself defines none). */
export function ratingOf(score: number, version: CvssVersion): CvssRating {
  if (version === '2.0') return score >= 7 ? 'HIGH' : score >= 4 ? 'MEDIUM' : 'LOW';
  if (score === 0) return 'NONE';
  return score >= 9 ? 'CRITICAL' : score >= 7 ? 'HIGH' : score >= 4 ? 'MEDIUM' : 'LOW';
}

function shown(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
