import { CeranaError } from '../../common/errors.js';
import type { PackageRef } from '../../policy/finding.js';
import type { ExecutableFormat, Portrait, PortraitEntry } from './portrait.js';

/** The portrait as `cerana image <ref> --portrait -o portrait.json` writes it: stable, sorted, one document. */
export function portraitJson(portrait: Portrait): string {
  return `${JSON.stringify(portrait, null, 2)}\n`;
}

/** A CycloneDX 1.6 `file` component (the shape `components[]` takes in a BOM). */
export interface CycloneDxFileComponent {
  type: 'file';
  'bom-ref': string;
  name: string;
  hashes?: { alg: 'SHA-256'; content: string }[];
  properties: { name: string; value: string }[];
}

/**
 * The portrait's executables as CycloneDX `file` components with their SHA-256, for the image
 * SBOM. The owning package, when known, is named by purl in `cerana:file:package`; layer, mode
 * and format are Cerana properties. `bom-ref`s are `file:<path>`, unique within one image.
 */
export function portraitComponents(portrait: Portrait): CycloneDxFileComponent[] {
  return portrait.executables.map((entry) => {
    const properties = [
      { name: 'cerana:file:format', value: entry.format },
      { name: 'cerana:file:mode', value: entry.mode },
      { name: 'cerana:file:size', value: String(entry.size) },
      { name: 'cerana:file:layer', value: entry.layer },
    ];
    if (entry.package?.purl) properties.push({ name: 'cerana:file:package', value: entry.package.purl });
    const component: CycloneDxFileComponent = {
      type: 'file',
      'bom-ref': `file:${entry.path}`,
      name: entry.path,
      properties,
    };
    if (entry.sha256 !== undefined) component.hashes = [{ alg: 'SHA-256', content: entry.sha256 }];
    return component;
  });
}

/** Largest portrait document read back (a portrait of a million executables is about 300 MB). */
export const MAX_PORTRAIT_BYTES = 512 * 1024 ** 2;

const FORMATS: ReadonlySet<string> = new Set<ExecutableFormat>(['elf', 'script', 'other']);
const SHA256 = /^[0-9a-f]{64}$/;
const MODE = /^[0-7]{4}$/;

/**
 * Reads a portrait written by portraitJson (run-time drift detection loads it). Anything that is
 * not a well-formed portrait is an INPUT error naming the first bad field.
 */
export function parsePortrait(text: string, origin = 'portrait'): Portrait {
  if (text.length > MAX_PORTRAIT_BYTES) {
    throw new CeranaError('LIMIT', `${origin}: larger than ${MAX_PORTRAIT_BYTES} bytes`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new CeranaError('INPUT', `${origin}: not JSON: ${(error as Error).message}`);
  }
  const bad = (what: string): never => {
    throw new CeranaError('INPUT', `${origin}: ${what}`, { hint: 'write it with cerana image --portrait' });
  };
  if (!isObject(doc) || doc.schemaVersion !== 1) bad('not a version 1 binary portrait');
  const root = doc as Record<string, unknown>;
  if (root.hashAlgorithm !== 'sha256') bad('hashAlgorithm must be sha256');
  if (!Array.isArray(root.executables)) bad('executables must be a list');
  const executables = (root.executables as unknown[]).map((raw, i): PortraitEntry => {
    const where = `executables[${i}]`;
    if (!isObject(raw)) return bad(`${where} is not an object`);
    const { path, sha256, size, mode, format, layer, layerIndex } = raw;
    if (typeof path !== 'string' || !path.startsWith('/')) bad(`${where}.path must be an absolute path`);
    if (sha256 !== undefined && (typeof sha256 !== 'string' || !SHA256.test(sha256)))
      bad(`${where}.sha256 must be 64 lowercase hex digits`);
    if (!Number.isSafeInteger(size) || (size as number) < 0) bad(`${where}.size must be a byte count`);
    if (typeof mode !== 'string' || !MODE.test(mode)) bad(`${where}.mode must be 4 octal digits`);
    if (typeof format !== 'string' || !FORMATS.has(format))
      bad(`${where}.format must be elf, script or other`);
    if (typeof layer !== 'string') bad(`${where}.layer must be a string`);
    if (!Number.isSafeInteger(layerIndex) || (layerIndex as number) < 0)
      bad(`${where}.layerIndex must be >= 0`);
    const entry: PortraitEntry = {
      path: path as string,
      size: size as number,
      mode: mode as string,
      format: format as ExecutableFormat,
      layer: layer as string,
      layerIndex: layerIndex as number,
    };
    if (sha256 !== undefined) entry.sha256 = sha256 as string;
    if (raw.package !== undefined) entry.package = packageRef(raw.package, `${where}.package`, bad);
    return entry;
  });
  const portrait: Portrait = {
    schemaVersion: 1,
    hashAlgorithm: 'sha256',
    executables,
    warnings: Array.isArray(root.warnings) ? root.warnings.filter((w) => typeof w === 'string') : [],
  };
  if (root.image !== undefined) {
    if (!isObject(root.image) || typeof root.image.ref !== 'string' || typeof root.image.digest !== 'string')
      bad('image must have ref and digest');
    const image = root.image as { ref: string; digest: string };
    portrait.image = { ref: image.ref, digest: image.digest };
  }
  return portrait;
}

function packageRef(raw: unknown, where: string, bad: (what: string) => never): PackageRef {
  if (!isObject(raw)) return bad(`${where} is not an object`);
  const { type, name, version, purl } = raw;
  if (typeof type !== 'string' || typeof name !== 'string' || typeof version !== 'string')
    bad(`${where} needs type, name and version`);
  const ref: PackageRef = { type: type as string, name: name as string, version: version as string };
  if (purl !== undefined) {
    if (typeof purl !== 'string') bad(`${where}.purl must be a string`);
    ref.purl = purl as string;
  }
  return ref;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
