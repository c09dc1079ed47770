import { createHash } from 'node:crypto';
import type { Package } from '../package.js';
import { licenseRef, spdxExpression } from './licenses.js';
import { imagePurl, OS_PACKAGE_TYPES, packageRef, type SbomInput } from './model.js';

const NOASSERTION = 'NOASSERTION';
const DOCUMENT = 'SPDXRef-DOCUMENT';
const IMAGE = 'SPDXRef-Image';
const OPERATING_SYSTEM = 'SPDXRef-OperatingSystem';

interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  downloadLocation: string;
  filesAnalyzed: false;
  checksums?: { algorithm: string; checksumValue: string }[];
  licenseConcluded: string;
  licenseDeclared: string;
  copyrightText: string;
  externalRefs?: { referenceCategory: string; referenceType: string; referenceLocator: string }[];
  primaryPackagePurpose?: string;
  sourceInfo?: string;
  comment?: string;
}

/**
 * SPDX 2.3 JSON. The document DESCRIBES the image (a CONTAINER package with its `pkg:oci` purl
 * and manifest checksum); the image CONTAINS the operating system and every language package;
 * the operating system CONTAINS the OS packages; a language package that installed another
 * one (`ownedBy`: a wheel shipping a Go executable) CONTAINS it too. Packages carry their purl as a
 * PACKAGE-MANAGER external reference, the declared licenses as an SPDX expression (names that
 * are no SPDX expression become `LicenseRef-`s with their text in hasExtractedLicensingInfos),
 * and where they were found (path and layer) in `sourceInfo`.
 */
export function writeSpdx(input: SbomInput): string {
  const packages: SpdxPackage[] = [];
  const relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[] = [
    { spdxElementId: DOCUMENT, relationshipType: 'DESCRIBES', relatedSpdxElement: IMAGE },
  ];
  const extracted = new Map<string, string>();

  const digest = /^sha256:([0-9a-f]{64})$/.exec(input.image.digest)?.[1];
  const image: SpdxPackage = {
    SPDXID: IMAGE,
    name: input.image.name,
    versionInfo: input.image.digest,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    externalRefs: [purlRef(imagePurl(input.image))],
    primaryPackagePurpose: 'CONTAINER',
    comment: `image ${input.image.ref}; config ${input.image.configDigest}; layers ${input.image.layers.join(' ')}`,
  };
  if (digest) image.checksums = [{ algorithm: 'SHA256', checksumValue: digest }];
  packages.push(image);

  if (input.os) {
    packages.push({
      SPDXID: OPERATING_SYSTEM,
      name: input.os.family,
      versionInfo: input.os.version,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: NOASSERTION,
      copyrightText: NOASSERTION,
      primaryPackagePurpose: 'OPERATING_SYSTEM',
      comment: input.os.prettyName,
    });
    relationships.push({
      spdxElementId: IMAGE,
      relationshipType: 'CONTAINS',
      relatedSpdxElement: OPERATING_SYSTEM,
    });
  }

  const used = new Set<string>([DOCUMENT, IMAGE, OPERATING_SYSTEM]);
  const idsByPurl = new Map<string, string[]>();
  const owned: { owner: string; id: string }[] = [];
  for (const pkg of input.packages) {
    const id = uniqueId(packageId(pkg), used);
    const ids = idsByPurl.get(pkg.purl);
    if (ids === undefined) idsByPurl.set(pkg.purl, [id]);
    else ids.push(id);
    if (pkg.ownedBy !== undefined) owned.push({ owner: pkg.ownedBy, id });
    const entry: SpdxPackage = {
      SPDXID: id,
      name: pkg.name,
      versionInfo: pkg.version,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: declaredLicense(pkg.licenses, extracted),
      copyrightText: NOASSERTION,
      externalRefs: [purlRef(pkg.purl)],
      primaryPackagePurpose: OS_PACKAGE_TYPES.has(pkg.type) ? 'INSTALL' : 'LIBRARY',
      sourceInfo: `found in ${pkg.locations.map((l) => `/${l.path} (layer ${l.layer})`).join(', ')}`,
    };
    const notes: string[] = [];
    if (pkg.source) notes.push(`source package ${pkg.source.name} ${pkg.source.version}`);
    if (pkg.arch) notes.push(`architecture ${pkg.arch}`);
    if (pkg.osOwned) notes.push('files owned by an OS package');
    if (notes.length > 0) entry.comment = notes.join('; ');
    packages.push(entry);
    const parent = input.os && OS_PACKAGE_TYPES.has(pkg.type) ? OPERATING_SYSTEM : IMAGE;
    relationships.push({ spdxElementId: parent, relationshipType: 'CONTAINS', relatedSpdxElement: id });
  }
  // ownedBy names a purl; the rare purl found as several packages (OS-owned and not) contains it from each.
  for (const { owner, id } of owned) {
    for (const ownerId of idsByPurl.get(owner) ?? []) {
      relationships.push({ spdxElementId: ownerId, relationshipType: 'CONTAINS', relatedSpdxElement: id });
    }
  }

  const document: Record<string, unknown> = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: DOCUMENT,
    name: input.image.ref,
    documentNamespace: `urn:uuid:${input.serial}`,
    creationInfo: { created: input.created, creators: [`Tool: ${input.tool.name}-${input.tool.version}`] },
    packages,
    relationships,
  };
  if (extracted.size > 0) {
    document.hasExtractedLicensingInfos = [...extracted].map(([licenseId, text]) => ({
      licenseId,
      extractedText: text,
      name: text,
    }));
  }
  return `${JSON.stringify(document, null, 2)}\n`;
}

function purlRef(purl: string) {
  return { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl };
}

/**
 * The declared licenses as one SPDX expression: each license that is an expression already,
 * the others as `LicenseRef-`s, joined with AND (a package's licenses all apply to it).
 */
function declaredLicense(licenses: readonly string[], extracted: Map<string, string>): string {
  if (licenses.length === 0) return NOASSERTION;
  const parts = licenses.map((license) => {
    const expression = spdxExpression(license);
    if (expression !== undefined)
      return licenses.length > 1 && /\s/.test(expression) ? `(${expression})` : expression;
    let ref = licenseRef(license);
    // Two names that sanitize alike get distinct refs.
    for (let n = 2; extracted.has(ref) && extracted.get(ref) !== license; n++)
      ref = `${licenseRef(license)}-${n}`;
    extracted.set(ref, license);
    return ref;
  });
  return [...new Set(parts)].join(' AND ');
}

/** `SPDXRef-Package-<type>-<name>-<hash>`: readable, in SPDX's idstring characters, unique by hash. */
function packageId(pkg: Package): string {
  const hash = createHash('sha256').update(packageRef(pkg)).digest('hex').slice(0, 12);
  const name = pkg.name.replace(/[^A-Za-z0-9.-]+/g, '-').slice(0, 80);
  return `SPDXRef-Package-${pkg.type}-${name}-${hash}`;
}

function uniqueId(id: string, used: Set<string>): string {
  let candidate = id;
  for (let n = 2; used.has(candidate); n++) candidate = `${id}-${n}`;
  used.add(candidate);
  return candidate;
}
