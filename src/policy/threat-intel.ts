import { readFileSync } from 'node:fs';
import { CeranaError } from '../common/errors.js';

/** Known exploitation (CISA KEV) and exploit probability (FIRST EPSS) by CVE id. */
export interface ThreatIntel {
  kev: ReadonlyMap<string, KevEntry>;
  epss: ReadonlyMap<string, EpssEntry>;
  kevVersion?: string;
  epssModel?: string;
}

export interface KevEntry {
  cveID: string;
  dateAdded?: string;
  knownRansomwareCampaignUse?: string;
}

export interface EpssEntry {
  epss: number;
  percentile: number;
}

export const EMPTY_INTEL: ThreatIntel = { kev: new Map(), epss: new Map() };

/** Parses the CISA KEV catalog JSON (`{catalogVersion, dateReleased, count, vulnerabilities:[{cveID,...}]}`). */
export function parseKevCatalog(
  text: string,
  origin = 'KEV catalog',
): Pick<ThreatIntel, 'kev' | 'kevVersion'> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new CeranaError('INPUT', `${origin}: not JSON: ${(error as Error).message}`);
  }
  const catalog = doc as { catalogVersion?: unknown; vulnerabilities?: unknown };
  if (typeof doc !== 'object' || doc === null || !Array.isArray(catalog.vulnerabilities)) {
    throw new CeranaError('INPUT', `${origin}: not a KEV catalog (no vulnerabilities array)`);
  }
  const kev = new Map<string, KevEntry>();
  for (const item of catalog.vulnerabilities as unknown[]) {
    const entry = item as KevEntry;
    if (typeof item !== 'object' || item === null || typeof entry.cveID !== 'string') continue;
    const kept: KevEntry = { cveID: entry.cveID.toUpperCase() };
    if (typeof entry.dateAdded === 'string') kept.dateAdded = entry.dateAdded;
    if (typeof entry.knownRansomwareCampaignUse === 'string') {
      kept.knownRansomwareCampaignUse = entry.knownRansomwareCampaignUse;
    }
    kev.set(kept.cveID, kept);
  }
  const result: Pick<ThreatIntel, 'kev' | 'kevVersion'> = { kev };
  if (typeof catalog.catalogVersion === 'string') result.kevVersion = catalog.catalogVersion;
  return result;
}

/** Parses FIRST's EPSS CSV: `#model_version:...,score_date:...` comment, `cve,epss,percentile` header, rows. */
export function parseEpssCsv(text: string, origin = 'EPSS file'): Pick<ThreatIntel, 'epss' | 'epssModel'> {
  const epss = new Map<string, EpssEntry>();
  let model: string | undefined;
  let header = false;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const match = /model_version:([^,]+)/.exec(line);
      if (match?.[1]) model = match[1].trim();
      continue;
    }
    if (!header) {
      if (line.replace(/\s/g, '').toLowerCase() !== 'cve,epss,percentile') {
        throw new CeranaError('INPUT', `${origin}:${i + 1}: expected header "cve,epss,percentile"`);
      }
      header = true;
      continue;
    }
    const [cve, score, percentile] = line.split(',');
    const e = Number(score);
    const p = Number(percentile);
    if (!cve || !Number.isFinite(e) || !Number.isFinite(p) || e < 0 || e > 1 || p < 0 || p > 1) {
      throw new CeranaError('INPUT', `${origin}:${i + 1}: bad row ${JSON.stringify(line.slice(0, 80))}`);
    }
    epss.set(cve.trim().toUpperCase(), { epss: e, percentile: p });
  }
  if (!header) throw new CeranaError('INPUT', `${origin}: no "cve,epss,percentile" header`);
  const result: Pick<ThreatIntel, 'epss' | 'epssModel'> = { epss };
  if (model !== undefined) result.epssModel = model;
  return result;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new CeranaError('INPUT', `cannot read ${path}: ${(error as Error).message}`);
  }
}

export function loadThreatIntel(paths: { kev?: string; epss?: string }): ThreatIntel {
  const intel: ThreatIntel = { kev: new Map(), epss: new Map() };
  if (paths.kev !== undefined) Object.assign(intel, parseKevCatalog(readText(paths.kev), paths.kev));
  if (paths.epss !== undefined) Object.assign(intel, parseEpssCsv(readText(paths.epss), paths.epss));
  return intel;
}

/** The CVE ids a finding is known by: its id and its aliases. */
export function cveIds(finding: { id: string; aliases: string[] }): string[] {
  return [finding.id, ...finding.aliases]
    .filter((id) => /^CVE-\d{4}-\d+$/i.test(id))
    .map((id) => id.toUpperCase());
}

export function kevFor(intel: ThreatIntel, finding: { id: string; aliases: string[] }): KevEntry | undefined {
  for (const id of cveIds(finding)) {
    const entry = intel.kev.get(id);
    if (entry) return entry;
  }
  return undefined;
}

/** The highest EPSS among the finding's CVE ids, 0 when unknown. */
export function epssFor(intel: ThreatIntel, finding: { id: string; aliases: string[] }): number {
  let best = 0;
  for (const id of cveIds(finding)) best = Math.max(best, intel.epss.get(id)?.epss ?? 0);
  return best;
}
