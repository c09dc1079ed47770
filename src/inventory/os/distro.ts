import type { OsInfo } from './detect.js';

/** The purl `distro` qualifier: `debian-12`, `alpine-3.19.1`, `rocky-9.3` (absent when the release is unknown). */
export function distroQualifier(os: OsInfo | undefined): string | undefined {
  return os?.version ? `${os.family}-${os.version}` : undefined;
}

/** The purl namespace (vendor) of an OS package: the distribution, or the format's usual vendor. */
export function vendorOf(os: OsInfo | undefined, families: readonly string[], fallback: string): string {
  return os !== undefined && families.includes(os.family) ? os.family : fallback;
}
