import type { Package } from '../inventory/package.js';
import { packageRef } from '../inventory/sbom/model.js';
import type { VulnerabilityFinding } from '../vuln/match/index.js';
import type { SeverityScore } from '../vuln/severity/index.js';

/**
 * CycloneDX 1.6 with vulnerabilities: the SBOM the inventory writer made, plus one
 * `vulnerabilities[]` entry per vulnerability ID, its `affects` pointing at the components (by
 * their bom-ref) it was found in, every rating with its source and method, the other IDs as
 * `references`, and the fixed versions as the recommendation.
 */
const METHODS: Record<string, string> = {
  '2.0': 'CVSSv2',
  '3.0': 'CVSSv3',
  '3.1': 'CVSSv31',
  '4.0': 'CVSSv4',
};

export function withVulnerabilities(
  cyclonedx: string,
  packages: readonly Package[],
  findings: readonly VulnerabilityFinding[],
): string {
  const bom = JSON.parse(cyclonedx) as Record<string, unknown>;
  const refs = new Map<string, string>();
  for (const pkg of packages) refs.set(keyOf(pkg.purl, pkg.locations[0]?.path), packageRef(pkg));
  const byId = new Map<string, VulnerabilityFinding[]>();
  for (const finding of findings) byId.set(finding.id, [...(byId.get(finding.id) ?? []), finding]);
  bom.vulnerabilities = [...byId].map(([id, group]) => {
    const first = group[0] as VulnerabilityFinding;
    const ratings = new Map<string, Record<string, unknown>>();
    for (const score of group.flatMap((f) => f.vulnerability.severities)) {
      const rating = ratingOf(score);
      ratings.set(JSON.stringify(rating), rating);
    }
    const fixes = [...new Set(group.flatMap((f) => f.fixedIn ?? []))];
    const entry: Record<string, unknown> = {
      'bom-ref': `vulnerability:${id}`,
      id,
      source: sourceOf(id),
      references: [...new Set(group.flatMap((f) => f.aliases))].map((alias) => ({
        id: alias,
        source: sourceOf(alias),
      })),
      ratings: [...ratings.values()],
      description: first.title,
      recommendation: fixes.length > 0 ? `upgrade to ${fixes.join(' or ')}` : 'no fixed version yet',
      advisories: [...new Set(group.flatMap((f) => f.references))].map((url) => ({ url })),
      affects: group.map((finding) => ({
        ref:
          refs.get(keyOf(finding.package?.purl ?? '', finding.vulnerability.locations[0]?.path)) ??
          finding.package?.purl ??
          '',
        versions: [{ version: finding.vulnerability.installedVersion, status: 'affected' }],
      })),
      properties: [
        { name: 'cerana:vulnerability:status', value: first.vulnerability.status },
        { name: 'cerana:vulnerability:origin', value: first.vulnerability.origin },
      ],
    };
    if (first.vulnerability.published) entry.published = first.vulnerability.published;
    if (Array.isArray(entry.references) && entry.references.length === 0) delete entry.references;
    return entry;
  });
  return `${JSON.stringify(bom, null, 2)}\n`;
}

function keyOf(purl: string, path: string | undefined): string {
  return `${purl}\0${path ?? ''}`;
}

function sourceOf(id: string): { name: string; url: string } {
  if (id.startsWith('CVE-')) return { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${id}` };
  if (id.startsWith('GHSA-')) return { name: 'GitHub', url: `https://github.com/advisories/${id}` };
  return { name: 'OSV', url: `https://osv.dev/vulnerability/${id}` };
}

function ratingOf(score: SeverityScore): Record<string, unknown> {
  const rating: Record<string, unknown> = { source: { name: score.advisory } };
  if (score.score !== undefined) rating.score = score.score;
  rating.severity = score.rating === 'UNKNOWN' ? 'unknown' : score.rating.toLowerCase();
  if (score.type === 'vendor') rating.method = 'other';
  else {
    rating.method = (score.cvssVersion && METHODS[score.cvssVersion]) ?? 'other';
    rating.vector = score.value;
  }
  return rating;
}
