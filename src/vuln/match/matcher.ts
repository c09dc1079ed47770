import type { OsInfo } from '../../inventory/os/detect.js';
import type { Package } from '../../inventory/package.js';
import { severityRank } from '../../policy/finding.js';
import type { AffectedMatch } from '../db/database.js';
import { canonicalBase, parseEcosystem } from '../osv/ecosystem.js';
import type { OsvRecord } from '../osv/types.js';
import { chooseSeverity, type SeverityScore, severitiesOf } from '../severity/index.js';
import { schemeForEcosystem } from '../versioning/index.js';
import { type MatchTarget, osEcosystems, targetsFor } from './ecosystem.js';
import { compareIds, groupByAlias, identify } from './merge.js';
import { evaluateAffected, type RangeEvaluation } from './ranges.js';
import type {
  MatchExplanation,
  MatchedAdvisory,
  MatchResult,
  MatchStats,
  VulnerabilityDetails,
  VulnerabilityFinding,
} from './types.js';

/** What the matcher reads from the vulnerability database (a `VulnDatabase` is one). */
export interface AdvisoryLookup {
  affectedFor(ecosystem: string, name: string): readonly AffectedMatch[];
  /** The full record, for severities, references and upstream IDs of the advisories that matched. */
  advisory(id: string): OsvRecord | undefined;
}

export interface MatchOptions {
  os?: OsInfo;
  /** Also match language packages an OS package owns against upstream advisories (labeled as such). */
  includeOsOwnedUpstream?: boolean;
  /** Keep an explanation of every evaluation (`--debug`). */
  debug?: boolean;
  /** The scanned image, for the findings' location. */
  image?: string;
  /**
   * The ecosystem bases the database holds data for (`npm`, `Debian`); packages of other ecosystems
   * are reported as not covered instead of silently finding nothing. Undefined: assume all.
   */
  coveredEcosystems?: ReadonlySet<string>;
}

interface Hit {
  match: AffectedMatch;
  record: OsvRecord | undefined;
  reason: string;
  notes: string[];
  fixed: string[];
}

/** A hit as the alias merger sees it. */
interface AliasedHit {
  id: string;
  aliases: readonly string[];
  upstream?: readonly string[];
  hits: Hit[];
}

const MAX_LISTED = 5;

/**
 * Matches packages against the advisories: each package is looked up in its ecosystem(s), every
 * affected entry is evaluated against the installed version (OSV semantics, see ranges.ts), and
 * the advisories that affect it are merged by alias into one finding per vulnerability per package.
 *
 * An evaluation the version scheme cannot decide (`unknown`: the installed version or a range
 * boundary is not a valid version of the ecosystem) is not reported as a finding, since nothing
 * says the package is affected; it is reported as a warning naming the package and the advisory,
 * so a gap in matching is always visible.
 */
export function matchPackages(
  db: AdvisoryLookup,
  packages: readonly Package[],
  options: MatchOptions = {},
): MatchResult {
  const warnings: string[] = [];
  const explanations: MatchExplanation[] = [];
  const stats: MatchStats = {
    packages: packages.length,
    matched: 0,
    skipped: 0,
    evaluations: 0,
    unknown: 0,
    findings: 0,
  };
  const recordOf = recordReader(db);
  const uncovered = new Map<string, number>();
  const unreadable = new Map<string, string[]>();
  const osProblem = options.os === undefined ? undefined : osEcosystems(options.os);
  const findings: VulnerabilityFinding[] = [];

  for (const pkg of packages) {
    const label = `${pkg.name}@${pkg.version}`;
    const explain = (entry: Omit<MatchExplanation, 'package' | 'purl'>) => {
      if (options.debug) explanations.push({ package: label, purl: pkg.purl, ...entry });
    };
    if (pkg.osOwned && !options.includeOsOwnedUpstream) {
      stats.skipped++;
      explain({
        verdict: 'skipped',
        reason:
          'owned by an OS package: the distribution advisories of that package apply (--include-os-owned-upstream to match upstream too)',
      });
      continue;
    }
    const resolution = targetsFor(pkg, options.os);
    if (!resolution.ok) {
      stats.skipped++;
      explain({ verdict: 'skipped', reason: resolution.reason });
      if (!resolution.quiet && !(osProblem !== undefined && !osProblem.ok && isOsType(pkg))) {
        warnings.push(`${pkg.purl}: not matched: ${resolution.reason}`);
      }
      continue;
    }
    let looked = false;
    const hits: Hit[] = [];
    let hitTarget: MatchTarget | undefined;
    for (const target of resolution.targets) {
      const base = parseEcosystem(target.ecosystem).base;
      if (options.coveredEcosystems !== undefined && !options.coveredEcosystems.has(base)) {
        uncovered.set(base, (uncovered.get(base) ?? 0) + 1);
        explain({
          ecosystem: target.ecosystem,
          verdict: 'skipped',
          reason: `the database holds no ${base} data`,
        });
        continue;
      }
      const scheme = schemeForEcosystem(target.ecosystem);
      if (scheme !== undefined && !scheme.valid(target.version)) {
        const list = unreadable.get(scheme.name) ?? [];
        list.push(`${target.name}@${target.version}`);
        unreadable.set(scheme.name, list);
        explain({
          ecosystem: target.ecosystem,
          verdict: 'skipped',
          reason: `${target.version} is not a valid ${scheme.name} version`,
        });
        continue;
      }
      looked = true;
      for (const match of db.affectedFor(target.ecosystem, target.name)) {
        stats.evaluations++;
        const evaluation = evaluate(match, target.version, target.ecosystem);
        const named = match.exactName
          ? ''
          : ` (the advisory names the package ${JSON.stringify(match.packageName)})`;
        const entry = { ecosystem: target.ecosystem, advisory: match.advisoryId };
        if (evaluation.affected === true) {
          explain({ ...entry, verdict: 'affected', reason: evaluation.reason + named });
          hits.push({
            match,
            record: recordOf(match.advisoryId),
            reason: evaluation.reason + named,
            notes: [...evaluation.notes],
            fixed: evaluation.fixed,
          });
        } else if (evaluation.affected === 'unknown') {
          stats.unknown++;
          explain({ ...entry, verdict: 'unknown', reason: evaluation.reason });
          warnings.push(`${pkg.purl}: ${match.advisoryId} could not be evaluated: ${evaluation.reason}`);
        } else {
          explain({ ...entry, verdict: 'not affected', reason: evaluation.reason });
        }
      }
      if (hits.length > 0) hitTarget ??= target;
    }
    // Advisories found under several ecosystems of one release (RHEL streams) merge like any others.
    if (hitTarget !== undefined) findings.push(...toFindings(pkg, hitTarget, hits, options));
    if (looked) stats.matched++;
    else stats.skipped++;
  }

  if (osProblem !== undefined && !osProblem.ok && packages.some(isOsType)) {
    warnings.push(`OS packages not matched: ${osProblem.reason}`);
  }
  for (const [base, count] of [...uncovered].sort()) {
    warnings.push(
      `${count} ${base} package(s) not matched: the vulnerability database holds no ${base} data (run \`cerana db update --ecosystem ${base}\`)`,
    );
  }
  for (const [scheme, list] of [...unreadable].sort()) {
    const shown = list.slice(0, MAX_LISTED).join(', ');
    const more = list.length > MAX_LISTED ? ` and ${list.length - MAX_LISTED} more` : '';
    warnings.push(
      `${list.length} package(s) with versions that are not valid ${scheme} versions were not matched: ${shown}${more}`,
    );
  }
  findings.sort(compareVulnerabilities);
  stats.findings = findings.length;
  return { findings, warnings: [...new Set(warnings)], explanations, stats };
}

/*
 * Advisory data never changes under an open database, and rescans (a registry's worth of stored
 * SBOMs) evaluate the same packages against the same entries over and over: records, range
 * evaluations and parsed severities are kept per database and per affected entry (the database
 * hands out the same entry objects while they are in its lookup cache), bounded in size.
 */
const MAX_RECORDS = 20_000;
const MAX_VERSIONS_PER_ENTRY = 256;
const recordCaches = new WeakMap<AdvisoryLookup, Map<string, OsvRecord | undefined>>();
const evaluations = new WeakMap<AffectedMatch, Map<string, RangeEvaluation>>();
const severityCache = new WeakMap<AffectedMatch, SeverityScore[]>();

function recordReader(db: AdvisoryLookup): (id: string) => OsvRecord | undefined {
  let cache = recordCaches.get(db);
  if (cache === undefined) {
    cache = new Map();
    recordCaches.set(db, cache);
  }
  const records = cache;
  return (id) => {
    if (records.has(id)) return records.get(id);
    if (records.size >= MAX_RECORDS) records.clear();
    const record = db.advisory(id);
    records.set(id, record);
    return record;
  };
}

function evaluate(match: AffectedMatch, version: string, ecosystem: string): RangeEvaluation {
  let known = evaluations.get(match);
  if (known === undefined) {
    known = new Map();
    evaluations.set(match, known);
  }
  const key = `${ecosystem}\0${version}`;
  const cached = known.get(key);
  if (cached !== undefined) return cached;
  const evaluation = evaluateAffected(match.affected, version, ecosystem);
  if (known.size >= MAX_VERSIONS_PER_ENTRY) known.clear();
  known.set(key, evaluation);
  return evaluation;
}

function severitiesFor(hit: Hit): SeverityScore[] {
  const cached = severityCache.get(hit.match);
  if (cached !== undefined) return cached;
  const scores = severitiesOf(
    hit.record ?? { id: hit.match.advisoryId, severity: [...hit.match.severity] },
    hit.match.affected,
  );
  severityCache.set(hit.match, scores);
  return scores;
}

function isOsType(pkg: Package): boolean {
  return pkg.type === 'deb' || pkg.type === 'apk' || pkg.type === 'rpm';
}

function toFindings(
  pkg: Package,
  target: MatchTarget,
  hits: Hit[],
  options: MatchOptions,
): VulnerabilityFinding[] {
  // One affected entry per hit; an advisory can have several entries for one package.
  const byAdvisory = new Map<string, AliasedHit>();
  for (const hit of hits) {
    const id = hit.match.advisoryId;
    const known = byAdvisory.get(id);
    if (known) {
      known.hits.push(hit);
      continue;
    }
    const aliased: AliasedHit = { id, aliases: hit.match.aliases, hits: [hit] };
    if (hit.record?.upstream) aliased.upstream = hit.record.upstream;
    byAdvisory.set(id, aliased);
  }
  const scheme = schemeForEcosystem(target.ecosystem);
  const origin: VulnerabilityDetails['origin'] =
    target.origin === 'distro' ? 'distro' : pkg.osOwned ? 'upstream-os-owned' : 'upstream';
  return groupByAlias([...byAdvisory.values()]).map((group) => {
    group.sort((a, b) => compareIds(a.id, b.id));
    const { id, aliases } = identify(group);
    const groupHits = group.flatMap((advisory) => advisory.hits);
    const fixed = [...new Set(groupHits.flatMap((hit) => hit.fixed))].sort((a, b) =>
      scheme?.valid(a) && scheme.valid(b) ? scheme.compare(a, b) : compareIds(a, b),
    );
    const severities: SeverityScore[] = groupHits.flatMap((hit) => severitiesFor(hit));
    const unique = dedupeSeverities(severities);
    const chosen = chooseSeverity(unique, target.origin === 'distro');
    const primary = group.find((advisory) => advisory.id === id) ?? group[0];
    const primaryRecord = primary?.hits[0]?.record;
    const records = [primaryRecord, ...group.map((advisory) => advisory.hits[0]?.record)];
    // PYSEC and some distribution records have no summary: the first sentence of the details then.
    const summary =
      records.map((record) => record?.summary).find(Boolean) ??
      records.map((record) => firstSentence(record?.details)).find(Boolean) ??
      id;
    const location = pkg.locations[0];
    const advisories: MatchedAdvisory[] = groupHits.map((hit) => {
      const advisory: MatchedAdvisory = {
        id: hit.match.advisoryId,
        ecosystem: hit.match.ecosystem,
        package: hit.match.packageName,
        reason: hit.reason,
        notes: hit.notes,
        modified: hit.match.modified,
      };
      if (hit.match.published) advisory.published = hit.match.published;
      return advisory;
    });
    const details: VulnerabilityDetails = {
      status: fixed.length > 0 ? 'fixed' : 'unfixed',
      installedVersion: target.version,
      fixedVersions: fixed,
      ecosystem: target.ecosystem,
      origin,
      severities: unique,
      advisories,
      locations: pkg.locations.map((l) => ({ ...l })),
    };
    if (chosen.from) {
      details.severitySource = {
        advisory: chosen.from.advisory,
        field: chosen.from.field,
        value: chosen.from.value,
      };
    }
    const published = advisories
      .map((a) => a.published)
      .filter((p): p is string => p !== undefined && !p.startsWith('0001-'))
      .sort()[0];
    if (published) details.published = published;
    const finding: VulnerabilityFinding = {
      kind: 'vulnerability',
      id,
      aliases,
      severity: chosen.severity,
      title: oneLine(summary),
      location: {},
      package: { type: pkg.type, name: pkg.name, version: pkg.version, purl: pkg.purl },
      fixedIn: fixed,
      evidence: `${target.name} ${target.version} in ${target.ecosystem}${origin === 'upstream-os-owned' ? ' (upstream advisory for a package an OS package owns)' : ''}`,
      remediation:
        fixed.length > 0
          ? `upgrade ${target.name} to ${fixed[0]}${fixed.length > 1 ? ` (or ${fixed.slice(1).join(', ')})` : ''}`
          : 'no fixed version yet',
      controls: [],
      references: referencesOf(group),
      vulnerability: details,
    };
    if (options.image) finding.location.image = options.image;
    if (location) {
      finding.location.path = location.path;
      if (location.layer) finding.location.layer = location.layer;
    }
    return finding;
  });
}

/** The same vector stated by two copies of an advisory counts once. */
function dedupeSeverities(scores: SeverityScore[]): SeverityScore[] {
  const seen = new Set<string>();
  return scores.filter((score) => {
    const key = `${score.advisory}\0${score.field}\0${score.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function referencesOf(group: AliasedHit[]): string[] {
  const urls: string[] = group.map((advisory) => `https://osv.dev/vulnerability/${advisory.id}`);
  for (const advisory of group) {
    for (const reference of advisory.hits[0]?.record?.references ?? []) {
      if (reference.type === 'ADVISORY' && !urls.includes(reference.url)) urls.push(reference.url);
    }
  }
  return urls;
}

function firstSentence(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = flat.search(/\.(\s|$)/);
  return end > 0 ? flat.slice(0, end + 1) : flat;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

/** Report order: most severe first, then package, then ID. */
export function compareVulnerabilities(a: VulnerabilityFinding, b: VulnerabilityFinding): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    text(a.package?.name, b.package?.name) ||
    text(a.package?.version, b.package?.version) ||
    compareIds(a.id, b.id) ||
    text(a.location.path, b.location.path) ||
    text(a.vulnerability.ecosystem, b.vulnerability.ecosystem)
  );
}

function text(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The ecosystem bases a database's sources cover, or undefined when a source does not say (file imports). */
export function coveredBases(
  sources: readonly { ecosystem?: string; kind: string }[],
): Set<string> | undefined {
  if (sources.some((source) => source.ecosystem === undefined)) return undefined;
  return new Set(sources.map((source) => canonicalBase(source.ecosystem ?? '')));
}
