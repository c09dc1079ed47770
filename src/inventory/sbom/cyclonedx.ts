import type { Package } from '../package.js';
import { parsePurl } from '../purl.js';
import { spdxExpression, spdxLicenseId } from './licenses.js';
import { imagePurl, OS_PACKAGE_TYPES, packageRef, type SbomInput } from './model.js';

interface Property {
  name: string;
  value: string;
}

type LicenseChoice = { license: { id: string } | { name: string } } | { expression: string };

/** Types whose purl namespace is what CycloneDX calls the group (npm scope, Maven groupId, Composer vendor). */
const GROUPED = new Set(['npm', 'maven', 'composer']);

/**
 * CycloneDX 1.6 JSON. The image is `metadata.component` (type container, its `pkg:oci` purl
 * and digests, platform and layer diffIDs as properties); the OS is an `operating-system`
 * component; every package is a `library` component with its purl, licenses, the file(s) it was
 * found in as `evidence.occurrences`, and Cerana properties: `cerana:package:osOwned`, source
 * package and architecture where known, `cerana:package:ownedBy` (the purl of the language
 * package that installed it), and one `cerana:location:path` / `cerana:location:layer`
 * pair per location, in the order of the occurrences. No dependency graph is claimed: the
 * catalogers record what is installed, not who requires what.
 */
export function writeCycloneDx(input: SbomInput): string {
  const imageRef = imagePurl(input.image);
  const components: Record<string, unknown>[] = [];
  if (input.os) {
    const properties: Property[] = [{ name: 'cerana:os:source', value: input.os.source }];
    if (input.os.codename) properties.push({ name: 'cerana:os:codename', value: input.os.codename });
    properties.push({ name: 'cerana:os:eol', value: String(input.os.eol) });
    if (input.os.eolDate) properties.push({ name: 'cerana:os:eolDate', value: input.os.eolDate });
    components.push({
      type: 'operating-system',
      'bom-ref': `os:${input.os.family}@${input.os.version}`,
      name: input.os.family,
      version: input.os.version,
      description: input.os.prettyName,
      properties,
    });
  }
  for (const pkg of input.packages) components.push(packageComponent(pkg));

  const imageProperties: Property[] = [
    { name: 'cerana:image:ref', value: input.image.ref },
    { name: 'cerana:image:configDigest', value: input.image.configDigest },
    ...input.image.repoDigests.map((value) => ({ name: 'cerana:image:repoDigest', value })),
    { name: 'cerana:image:os', value: input.image.platform.os },
    { name: 'cerana:image:architecture', value: input.image.platform.architecture },
    ...(input.image.platform.variant
      ? [{ name: 'cerana:image:variant', value: input.image.platform.variant }]
      : []),
    ...input.image.layers.map((value) => ({ name: 'cerana:image:layerDiffID', value })),
  ];
  const bom = {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${input.serial}`,
    version: 1,
    metadata: {
      timestamp: input.created,
      tools: { components: [{ type: 'application', name: input.tool.name, version: input.tool.version }] },
      component: {
        type: 'container',
        'bom-ref': imageRef,
        name: input.image.name,
        version: input.image.digest,
        purl: imageRef,
        properties: imageProperties,
      },
    },
    components,
  };
  return `${JSON.stringify(bom, null, 2)}\n`;
}

function packageComponent(pkg: Package): Record<string, unknown> {
  const component: Record<string, unknown> = { type: 'library', 'bom-ref': packageRef(pkg) };
  const purl = parsePurl(pkg.purl);
  if (GROUPED.has(pkg.type) && purl.namespace) {
    component.group = purl.namespace;
    component.name = purl.name;
  } else {
    component.name = pkg.name;
  }
  component.version = pkg.version;
  component.purl = pkg.purl;
  const licenses = licenseChoices(pkg.licenses);
  if (licenses.length > 0) component.licenses = licenses;
  component.evidence = { occurrences: pkg.locations.map((location) => ({ location: `/${location.path}` })) };

  const properties: Property[] = [
    { name: 'cerana:package:type', value: pkg.type },
    { name: 'cerana:package:osOwned', value: String(pkg.osOwned) },
  ];
  if (pkg.ownedBy !== undefined) properties.push({ name: 'cerana:package:ownedBy', value: pkg.ownedBy });
  if (pkg.source) {
    properties.push({ name: 'cerana:package:source:name', value: pkg.source.name });
    properties.push({ name: 'cerana:package:source:version', value: pkg.source.version });
  }
  if (pkg.arch) properties.push({ name: 'cerana:package:arch', value: pkg.arch });
  if (OS_PACKAGE_TYPES.has(pkg.type)) properties.push({ name: 'cerana:package:os', value: 'true' });
  for (const location of pkg.locations) {
    properties.push({ name: 'cerana:location:path', value: `/${location.path}` });
    properties.push({ name: 'cerana:location:layer', value: location.layer });
  }
  component.properties = properties;
  return component;
}

/**
 * One SPDX expression stays an expression; otherwise each license is an SPDX id when it is
 * on the SPDX License List, else a name (CycloneDX validates ids against the list).
 */
function licenseChoices(licenses: readonly string[]): LicenseChoice[] {
  if (licenses.length === 1) {
    const only = licenses[0] as string;
    const expression = spdxExpression(only);
    if (expression !== undefined && spdxLicenseId(expression) === undefined) return [{ expression }];
  }
  const choices = new Map<string, LicenseChoice>();
  for (const license of licenses) {
    const id = spdxLicenseId(license);
    const choice: LicenseChoice = id === undefined ? { license: { name: license } } : { license: { id } };
    choices.set(JSON.stringify(choice), choice);
  }
  return [...choices.values()];
}
