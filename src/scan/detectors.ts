import { toFinding } from '../detect/secrets/findings.js';
import { scanCapturedFiles } from '../detect/secrets/image.js';
import { SecretScanner } from '../detect/secrets/scanner.js';
import type { FileVisitor, ImageFiles } from '../image/scan/index.js';
import type { Image } from '../image/types.js';
import type { Finding } from '../policy/finding.js';

/** What `--scanners` may name. Vulnerability matching runs on the inventory, the rest in the layer pass. */
export const SCANNERS = ['vuln', 'secret', 'malware', 'hygiene'] as const;
export type ScannerName = (typeof SCANNERS)[number];

export interface DetectorOutput {
  findings: Finding[];
  warnings: string[];
}

/**
 * A detector joins the single layer pass with its visitors, then reads the merged file system
 * (and the image config) once the pass is over.
 */
export interface ImageDetector {
  readonly visitors: readonly FileVisitor[];
  analyze(image: Image, files: ImageFiles, ref: string): Promise<DetectorOutput> | DetectorOutput;
}

export interface DetectorOptions {
  /** `--secret-config`: extra, replaced or disabled secret rules and allow-lists. */
  secretConfig?: string;
}

function secretDetector(options: DetectorOptions): ImageDetector {
  const scanner = SecretScanner.withConfigFile(options.secretConfig);
  return {
    visitors: [scanner],
    analyze(image, files, ref) {
      const matches = [
        ...scanCapturedFiles(scanner, files.capturedFiles()),
        ...scanner.scanConfig(image.config),
      ];
      return { findings: matches.map((match) => toFinding(match, scanner.rules, ref)), warnings: [] };
    },
  };
}

/** The detectors the chosen scanners need, in a stable order. */
export function detectorsFor(
  scanners: ReadonlySet<ScannerName>,
  options: DetectorOptions = {},
): ImageDetector[] {
  const detectors: ImageDetector[] = [];
  if (scanners.has('secret')) detectors.push(secretDetector(options));
  return detectors;
}
