import { readFileSync } from 'node:fs';
import { CeranaError } from '../common/errors.js';
import type { Finding } from './finding.js';

/**
 * The part of a scan result (`cerana image -f json`) that policies, the risk score and the
 * fix plan read. Structural on purpose: any producer that writes these fields (an image scan,
 * a stored scan, a synthetic fleet in a test) can be gated and planned.
 */
export interface ScanDocument {
  artifact: { ref: string; digest?: string; os?: { family: string; version: string; eol?: boolean } };
  config?: { user?: string; labels?: Record<string, string> };
  layers?: { index: number; diffId?: string; createdBy: string }[];
  packages?: { type: string; name: string; version: string; purl?: string }[];
  vulnerabilities?: { findings: Finding[] };
  /** Findings of any other kind (secrets, malware, hygiene, config) a producer attached. */
  findings?: Finding[];
  /** Signature/attestation status when a verifier has looked. */
  trust?: { signed?: boolean; verified?: boolean; attested?: boolean };
}

/** Largest scan result read from disk; bigger ones are almost certainly not scan results. */
const MAX_SCAN_BYTES = 256 * 1024 * 1024;

export function readScanDocument(path: string): ScanDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CeranaError('INPUT', `cannot read scan result ${path}: ${(error as Error).message}`);
  }
  if (text.length > MAX_SCAN_BYTES) throw new CeranaError('LIMIT', `${path}: scan result too large`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CeranaError('INPUT', `${path}: not JSON: ${(error as Error).message}`, {
      hint: "write scan results with 'cerana image <ref> -f json'",
    });
  }
  return asScanDocument(value, path);
}

export function asScanDocument(value: unknown, origin: string): ScanDocument {
  const doc = value as ScanDocument;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof doc.artifact !== 'object' ||
    doc.artifact === null ||
    typeof doc.artifact.ref !== 'string'
  ) {
    throw new CeranaError('INPUT', `${origin}: not a Cerana scan result (no artifact.ref)`, {
      hint: "write scan results with 'cerana image <ref> -f json'",
    });
  }
  return doc;
}

function isFinding(value: unknown): value is Finding {
  const f = value as Finding;
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof f.kind === 'string' &&
    typeof f.id === 'string' &&
    typeof f.severity === 'string'
  );
}

/**
 * Every finding in a scan result: the vulnerability report's, the top-level `findings`, and the
 * `findings` array of any other section a detector adds (`secrets`, `malware`, `hygiene`...),
 * so new detectors are gated without changes here.
 */
export function collectFindings(doc: ScanDocument): Finding[] {
  const out: Finding[] = [];
  const take = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const item of list) if (isFinding(item)) out.push(item);
  };
  take(doc.findings);
  const sections = doc as unknown as Record<string, unknown>;
  for (const key of Object.keys(sections).sort()) {
    if (key === 'findings') continue;
    const section = sections[key];
    if (typeof section === 'object' && section !== null && !Array.isArray(section)) {
      take((section as { findings?: unknown }).findings);
    }
  }
  return out;
}
