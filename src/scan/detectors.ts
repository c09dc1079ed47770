import { join } from 'node:path';
import { buildPortrait, FileHashVisitor, type Portrait, packageOwners } from '../detect/binaries/index.js';
import { HygieneChecker, hygieneVisitor } from '../detect/hygiene/index.js';
import { MalwareDetector } from '../detect/malware/index.js';
import { toFinding } from '../detect/secrets/findings.js';
import { scanCapturedFiles } from '../detect/secrets/image.js';
import { SecretScanner } from '../detect/secrets/scanner.js';
import type { SecretMatch } from '../detect/secrets/types.js';
import type { FileVisitor, ImageFiles } from '../image/scan/index.js';
import type { Image } from '../image/types.js';
import type { OsInfo } from '../inventory/os/detect.js';
import type { Package } from '../inventory/package.js';
import type { Finding } from '../policy/finding.js';

/** What `--scanners` may name. Vulnerability matching runs on the inventory, the rest in the layer pass. */
export const SCANNERS = ['vuln', 'secret', 'malware', 'hygiene'] as const;
export type ScannerName = (typeof SCANNERS)[number];

export interface DetectorOptions {
  /** `--secret-config`: extra, replaced or disabled secret rules and allow-lists. */
  secretConfig?: string;
  /** `--malware-hashes`: known-bad SHA-256 lists. */
  malwareHashes?: readonly string[];
  /** `--yara-rules`: YARA rule files or directories. */
  yaraRules?: readonly string[];
  /** Build the binary portrait (every executable with its hash). */
  portrait?: boolean;
}

/** What the detectors read once the layer pass is over. */
export interface DetectorContext {
  image: Image;
  files: ImageFiles;
  ref: string;
  os?: OsInfo;
  packages: readonly Package[];
  /** Scratch space under the cache directory (YARA's candidate files). */
  workDir: string;
}

export interface DetectorOutput {
  findings: Finding[];
  warnings: string[];
  portrait?: Portrait;
}

/**
 * The detectors the chosen scanners need. They join the single layer pass with their visitors
 * (one file-hash visitor serves malware and the portrait: every file is hashed once), then read
 * the merged file system and the image config.
 */
export class ImageDetectors {
  readonly visitors: readonly FileVisitor[];
  private readonly secrets: SecretScanner | undefined;
  private readonly malware: MalwareDetector | undefined;
  private readonly hygiene: HygieneChecker | undefined;
  private readonly portrait: boolean;

  /** Bad option files (rules, hash lists) fail here, before any image is read. */
  constructor(scanners: ReadonlySet<ScannerName>, options: DetectorOptions = {}) {
    this.secrets = scanners.has('secret') ? SecretScanner.withConfigFile(options.secretConfig) : undefined;
    this.malware = scanners.has('malware')
      ? new MalwareDetector({
          ...(options.malwareHashes ? { hashLists: options.malwareHashes } : {}),
          ...(options.yaraRules ? { yaraRules: options.yaraRules } : {}),
        })
      : undefined;
    this.hygiene = scanners.has('hygiene') ? new HygieneChecker() : undefined;
    this.portrait = options.portrait === true;
    const hashes = this.malware || this.portrait ? new FileHashVisitor() : undefined;
    this.visitors = [
      ...(this.secrets ? [this.secrets] : []),
      ...(hashes ? [hashes] : []),
      ...(this.malware?.visitors() ?? []),
      ...(this.hygiene ? [hygieneVisitor] : []),
    ];
  }

  async analyze(context: DetectorContext): Promise<DetectorOutput> {
    const output: DetectorOutput = { findings: [], warnings: [] };
    let configSecrets: SecretMatch[] = [];
    if (this.secrets) {
      configSecrets = this.secrets.scanConfig(context.image.config);
      const matches = [...scanCapturedFiles(this.secrets, context.files.capturedFiles()), ...configSecrets];
      const rules = this.secrets.rules;
      output.findings.push(...matches.map((match) => toFinding(match, rules, context.ref)));
    }
    if (this.malware) {
      const result = await this.malware.scan(context.files, {
        workDir: join(context.workDir, 'tmp'),
        image: context.ref,
      });
      output.findings.push(...result.findings);
      output.warnings.push(...result.warnings);
    }
    if (this.hygiene) {
      output.findings.push(
        ...this.hygiene.check({
          config: context.image.config,
          files: context.files,
          ...(context.os ? { os: context.os } : {}),
          packages: context.packages,
          reportedSecrets: configSecrets,
          image: context.ref,
        }),
      );
    }
    if (this.portrait) {
      output.portrait = buildPortrait(context.files, {
        owners: packageOwners(context.files, context.packages),
        image: { ref: context.ref, digest: context.image.digest },
      });
    }
    return output;
  }
}
