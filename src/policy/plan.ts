import { getScheme, schemeForEcosystem, type VersionScheme } from '../vuln/versioning/index.js';
import type { Finding } from './finding.js';
import { baseLayerCountFromHistory, type ImageFacts, imageFacts } from './image-facts.js';
import { collectFindings, type ScanDocument } from './scan-document.js';
import { findingRisk } from './score.js';
import { EMPTY_INTEL, type ThreatIntel } from './threat-intel.js';

/**
 * The fix plan across a fleet: each vulnerability finding is assigned to the one change that
 * removes it — rebuilding on a newer base image when the vulnerable package came from the base's
 * layers, else upgrading the package — and the changes are ranked by the risk they remove.
 */

export type PlanActionKind = 'rebuild' | 'upgrade';

export interface PlanAction {
  rank: number;
  kind: PlanActionKind;
  /** `rebuild on a newer debian:12`, `upgrade npm lodash to 4.17.21`. */
  title: string;
  /** The base image, or `type:name` of the package. */
  target: string;
  /** Highest fixed version the findings name (upgrade only). */
  toVersion?: string;
  /** Image repositories the change touches, sorted. */
  images: string[];
  findings: number;
  /** Distinct vulnerability ids, sorted. */
  vulnerabilities: string[];
  /** Risk removed, in score points (sum of the findings' risk, cerana-risk/2, before dampening). */
  risk: number;
}

export interface FixPlan {
  scans: number;
  actions: PlanAction[];
  totalRisk: number;
  /** Findings with no fixed version anywhere: no action removes them. */
  unfixable: { findings: number; risk: number };
}

export interface PlanOptions {
  intel?: ThreatIntel;
  /** Findings per scan after exceptions/VEX (parallel to the scans); defaults to the scans' own. */
  findings?: Finding[][];
}

interface Accumulator {
  kind: PlanActionKind;
  target: string;
  ecosystem: string;
  type: string;
  fixedVersions: Set<string>;
  images: Set<string>;
  vulnerabilities: Set<string>;
  findings: number;
  risk: number;
}

const TYPE_SCHEMES: Record<string, string> = {
  deb: 'dpkg',
  apk: 'apk',
  rpm: 'rpm',
  npm: 'semver',
  pypi: 'pep440',
  maven: 'maven',
  golang: 'go',
  cargo: 'cargo',
  gem: 'rubygems',
  composer: 'composer',
  nuget: 'nuget',
};

function schemeFor(ecosystem: string, type: string): VersionScheme | undefined {
  const byEcosystem = ecosystem ? schemeForEcosystem(ecosystem) : undefined;
  if (byEcosystem) return byEcosystem;
  const name = TYPE_SCHEMES[type];
  return name ? getScheme(name) : undefined;
}

function highest(versions: Iterable<string>, scheme: VersionScheme | undefined): string | undefined {
  let best: string | undefined;
  for (const v of versions) {
    if (best === undefined) best = v;
    else if (scheme ? scheme.compare(v, best) > 0 : v > best) best = v;
  }
  return best;
}

interface VulnDetails {
  ecosystem?: string;
  locations?: { layer?: string }[];
}

function layersOf(f: Finding): string[] {
  const details = (f as { vulnerability?: VulnDetails }).vulnerability;
  const layers = (details?.locations ?? [])
    .map((l) => l.layer)
    .filter((l): l is string => typeof l === 'string' && l !== '');
  if (layers.length === 0 && f.location?.layer) layers.push(f.location.layer);
  return layers;
}

/**
 * The diffIDs of each base image's layers. Images built on the same base share its layers as
 * a diffID prefix, so across a fleet the base is the longest prefix its images share; for an
 * image alone, the leading root-file-system layer of its history.
 */
export function baseLayers(scans: { doc: ScanDocument; facts: ImageFacts }[]): Map<string, Set<string>> {
  const byBase = new Map<string, string[][]>();
  for (const { doc, facts } of scans) {
    if (!facts.baseImage) continue;
    const ids = (doc.layers ?? []).map((l) => l.diffId ?? '');
    const list = byBase.get(facts.baseImage) ?? [];
    list.push(ids);
    byBase.set(facts.baseImage, list);
  }
  const out = new Map<string, Set<string>>();
  for (const [base, lists] of byBase) {
    const first = lists[0] ?? [];
    let prefix: number;
    if (lists.length === 1) {
      const doc = scans.find((s) => s.facts.baseImage === base)?.doc;
      prefix = baseLayerCountFromHistory(doc?.layers ?? []);
    } else {
      prefix = first.length;
      for (const ids of lists) {
        let i = 0;
        while (i < prefix && i < ids.length && ids[i] === first[i] && ids[i] !== '') i++;
        prefix = i;
      }
      // A base never is the whole image: keep at least the image's own top layer out.
      const shortest = Math.min(...lists.map((l) => l.length));
      if (prefix >= shortest) prefix = Math.max(0, shortest - 1);
    }
    out.set(base, new Set(first.slice(0, prefix)));
  }
  return out;
}

export function buildPlan(docs: ScanDocument[], options: PlanOptions = {}): FixPlan {
  const intel = options.intel ?? EMPTY_INTEL;
  const scans = docs.map((doc) => ({ doc, facts: imageFacts(doc) }));
  const bases = baseLayers(scans);
  const actions = new Map<string, Accumulator>();
  const unfixable = { findings: 0, risk: 0 };
  let totalRisk = 0;

  scans.forEach(({ doc, facts }, index) => {
    const findings = options.findings?.[index] ?? collectFindings(doc);
    const base = facts.baseImage ? bases.get(facts.baseImage) : undefined;
    for (const f of findings) {
      if (f.kind !== 'vulnerability' || f.suppressed) continue;
      const risk = findingRisk(f, intel, facts);
      totalRisk += risk;
      const fixed = f.fixedIn ?? [];
      if (fixed.length === 0) {
        unfixable.findings++;
        unfixable.risk += risk;
        continue;
      }
      const layers = layersOf(f);
      const fromBase = base !== undefined && layers.length > 0 && layers.every((l) => base.has(l));
      const pkg = f.package;
      const ecosystem = (f as { vulnerability?: VulnDetails }).vulnerability?.ecosystem ?? '';
      const key = fromBase
        ? `rebuild\u0000${facts.baseImage}`
        : `upgrade\u0000${pkg?.type ?? ''}:${pkg?.name ?? f.id}`;
      let acc = actions.get(key);
      if (!acc) {
        acc = {
          kind: fromBase ? 'rebuild' : 'upgrade',
          target: fromBase ? (facts.baseImage ?? '') : `${pkg?.type ?? ''}:${pkg?.name ?? f.id}`,
          ecosystem,
          type: pkg?.type ?? '',
          fixedVersions: new Set(),
          images: new Set(),
          vulnerabilities: new Set(),
          findings: 0,
          risk: 0,
        };
        actions.set(key, acc);
      }
      for (const v of fixed) acc.fixedVersions.add(v);
      acc.images.add(facts.repository);
      acc.vulnerabilities.add(f.id);
      acc.findings++;
      acc.risk += risk;
    }
  });

  const ranked = [...actions.values()].sort(
    (a, b) =>
      b.risk - a.risk ||
      b.images.size - a.images.size ||
      (a.target < b.target ? -1 : a.target > b.target ? 1 : 0),
  );
  return {
    scans: docs.length,
    totalRisk: totalRisk / 100,
    unfixable: { findings: unfixable.findings, risk: unfixable.risk / 100 },
    actions: ranked.map((acc, i): PlanAction => {
      const action: PlanAction = {
        rank: i + 1,
        kind: acc.kind,
        title: '',
        target: acc.target,
        images: [...acc.images].sort(),
        findings: acc.findings,
        vulnerabilities: [...acc.vulnerabilities].sort(),
        risk: acc.risk / 100,
      };
      if (acc.kind === 'rebuild') {
        action.title = `rebuild ${acc.images.size} image(s) on a newer ${acc.target}`;
      } else {
        const to = highest(acc.fixedVersions, schemeFor(acc.ecosystem, acc.type));
        if (to !== undefined) action.toVersion = to;
        action.title = `upgrade ${acc.target.replace(':', ' ')} to ${to ?? 'a fixed version'} in ${acc.images.size} image(s)`;
      }
      return action;
    }),
  };
}
