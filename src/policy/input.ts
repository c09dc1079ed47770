import type { Finding } from './finding.js';
import { imageFacts } from './image-facts.js';
import type { ScanDocument } from './scan-document.js';
import { collectFindings } from './scan-document.js';
import { EMPTY_INTEL, epssFor, kevFor, type ThreatIntel } from './threat-intel.js';

/*
 * The typed input a policy's CEL expressions see. Each view is a class so the CEL environment
 * can type-check field access at load time and evaluate instances without converting them.
 */

export class FindingView {
  constructor(
    readonly kind: string,
    readonly id: string,
    readonly aliases: string[],
    readonly severity: string,
    readonly title: string,
    readonly path: string,
    readonly packageName: string,
    readonly packageType: string,
    readonly installedVersion: string,
    readonly fixedVersion: string,
    readonly fixAvailable: boolean,
    readonly kev: boolean,
    readonly epss: number,
    readonly cvss: number,
    readonly suppressed: boolean,
  ) {}
}

export class PackageView {
  constructor(
    readonly type: string,
    readonly name: string,
    readonly version: string,
    readonly purl: string,
  ) {}
}

export class ImageView {
  constructor(
    readonly ref: string,
    readonly repository: string,
    readonly digest: string,
    readonly user: string,
    readonly runsAsRoot: boolean,
    readonly labels: Map<string, string>,
    readonly baseImage: string,
    readonly basePinned: boolean,
    readonly exposure: string,
    readonly criticality: string,
  ) {}
}

export class OsView {
  constructor(
    readonly family: string,
    readonly version: string,
    readonly eol: boolean,
  ) {}
}

export class TrustView {
  constructor(
    /** False when no verifier looked: rules can tell "unsigned" from "not checked". */
    readonly known: boolean,
    readonly signed: boolean,
    readonly verified: boolean,
    readonly attested: boolean,
  ) {}
}

export interface PolicyInput {
  image: ImageView;
  os: OsView;
  packages: PackageView[];
  findings: FindingView[];
  /** CEL ints are bigints. */
  score: bigint;
  trust: TrustView;
}

/** Field names and CEL types of each view; the environment and the typo hints use them. */
export const VIEW_FIELDS = {
  Finding: {
    kind: 'string',
    id: 'string',
    aliases: 'list<string>',
    severity: 'string',
    title: 'string',
    path: 'string',
    packageName: 'string',
    packageType: 'string',
    installedVersion: 'string',
    fixedVersion: 'string',
    fixAvailable: 'bool',
    kev: 'bool',
    epss: 'double',
    cvss: 'double',
    suppressed: 'bool',
  },
  Package: { type: 'string', name: 'string', version: 'string', purl: 'string' },
  Image: {
    ref: 'string',
    repository: 'string',
    digest: 'string',
    user: 'string',
    runsAsRoot: 'bool',
    labels: 'map<string, string>',
    baseImage: 'string',
    basePinned: 'bool',
    exposure: 'string',
    criticality: 'string',
  },
  Os: { family: 'string', version: 'string', eol: 'bool' },
  Trust: { known: 'bool', signed: 'bool', verified: 'bool', attested: 'bool' },
} as const;

export const INPUT_VARIABLES = {
  image: 'Image',
  os: 'Os',
  packages: 'list<Package>',
  findings: 'list<Finding>',
  score: 'int',
  trust: 'Trust',
} as const;

/** The highest CVSS base score the finding's advisories state, 0 when none. */
export function cvssOf(finding: Finding): number {
  const details = (finding as { vulnerability?: { severities?: { score?: number }[] } }).vulnerability;
  let best = 0;
  for (const s of details?.severities ?? []) if (typeof s.score === 'number') best = Math.max(best, s.score);
  return best;
}

export function findingView(finding: Finding, intel: ThreatIntel): FindingView {
  const fixed = finding.fixedIn ?? [];
  return new FindingView(
    finding.kind,
    finding.id,
    finding.aliases ?? [],
    finding.severity,
    finding.title ?? '',
    finding.location?.path ?? '',
    finding.package?.name ?? '',
    finding.package?.type ?? '',
    finding.package?.version ?? '',
    fixed[0] ?? '',
    fixed.length > 0,
    kevFor(intel, finding) !== undefined,
    epssFor(intel, finding),
    cvssOf(finding),
    finding.suppressed !== undefined,
  );
}

export interface InputOptions {
  intel?: ThreatIntel;
  score: number;
  /** Workload labels that override the image's (exposure, criticality). */
  labels?: Record<string, string>;
  /** Findings after exceptions/VEX; defaults to the document's. */
  findings?: Finding[];
}

export function buildPolicyInput(doc: ScanDocument, options: InputOptions): PolicyInput {
  const intel = options.intel ?? EMPTY_INTEL;
  const facts = imageFacts(doc, options.labels);
  const findings = options.findings ?? collectFindings(doc);
  const os = doc.artifact.os;
  const trust = doc.trust;
  return {
    image: new ImageView(
      facts.ref,
      facts.repository,
      doc.artifact.digest ?? '',
      facts.user,
      facts.runsAsRoot,
      new Map(Object.entries(facts.labels)),
      facts.baseImage ?? '',
      facts.basePinned,
      facts.exposure,
      facts.criticality,
    ),
    os: new OsView(os?.family ?? '', os?.version ?? '', os?.eol === true),
    packages: (doc.packages ?? []).map((p) => new PackageView(p.type, p.name, p.version, p.purl ?? '')),
    findings: findings.map((f) => findingView(f, intel)),
    score: BigInt(Math.floor(options.score)),
    trust: new TrustView(
      trust !== undefined,
      trust?.signed === true,
      trust?.verified === true,
      trust?.attested === true,
    ),
  };
}
