/** Image hygiene: CIS Docker Benchmark section 4 checks and common image mistakes, as findings. */
import type { FileVisitor, ImageFiles } from '../../image/scan/index.js';
import type { ImageConfig } from '../../image/types.js';
import type { OsInfo } from '../../inventory/os/detect.js';
import type { Package } from '../../inventory/package.js';
import { compareFindings, type Finding } from '../../policy/finding.js';
import { compileCheck, type Evaluate, type Hit } from './checks.js';
import { FileSystemView, type HygieneContext, historyLayers, resolveUser } from './context.js';
import { type HygieneRule, loadHygieneRules } from './rules.js';

export { BUILTIN_HYGIENE_RULES_URL, type HygieneRule, loadHygieneRules } from './rules.js';

const PASSWD = 'etc/passwd';

/** Captures /etc/passwd, to tell whether a named USER is uid 0. */
export const hygieneVisitor: FileVisitor = {
  name: 'hygiene',
  version: 1,
  wants: (path) => (path === PASSWD ? 'capture' : false),
};

export interface HygieneInput {
  config: ImageConfig;
  /** The merged file system; without it only config and history checks run. */
  files?: ImageFiles;
  os?: OsInfo;
  /** The inventory, when it ran: daemons and sudo are then found by package name too. */
  packages?: readonly Package[];
  /**
   * The secrets detector's matches in the image config (`SecretScanner.scanConfig`; any
   * `SecretMatch` with `inConfig` fits): their location (`config:Env[3]`, `history[5]`) and
   * redacted value. Hygiene flags credential-NAMED variables; a value the secrets detector
   * already flagged — there, or at an earlier step the same value was first seen — is not
   * reported again.
   */
  reportedSecrets?: Iterable<{ path: string; redacted: string }>;
  /** Image reference put into finding locations. */
  image?: string;
}

export interface HygieneOptions {
  /** Rule ids to skip. */
  disable?: readonly string[];
}

interface CompiledRule {
  rule: HygieneRule;
  evaluate: Evaluate;
}

export class HygieneChecker {
  private readonly compiled: CompiledRule[];
  private readonly cachePrefixes: string[];

  constructor(rules: readonly HygieneRule[] = loadHygieneRules(), options: HygieneOptions = {}) {
    const disabled = new Set(options.disable ?? []);
    const globs: string[] = [];
    this.compiled = rules
      .filter((rule) => !disabled.has(rule.id))
      .map((rule) => {
        const { evaluate, fileGlobs } = compileCheck(rule);
        globs.push(...fileGlobs);
        return { rule, evaluate };
      });
    this.cachePrefixes = FileSystemView.prefixesOf(globs);
  }

  get rules(): HygieneRule[] {
    return this.compiled.map((c) => c.rule);
  }

  check(input: HygieneInput): Finding[] {
    const passwd = input.files?.read(PASSWD)?.toString('utf8');
    const context: HygieneContext = {
      config: input.config,
      user: resolveUser(input.config.user, passwd),
      reportedSecrets: new Set([...(input.reportedSecrets ?? [])].map((m) => `${m.path}\0${m.redacted}`)),
      historyLayer: historyLayers(input.config),
    };
    if (input.files !== undefined) context.fs = new FileSystemView(input.files, this.cachePrefixes);
    if (input.os !== undefined) context.os = input.os;
    if (input.packages !== undefined) context.packages = input.packages;

    const findings: Finding[] = [];
    for (const { rule, evaluate } of this.compiled) {
      evaluate(context, (hit) => findings.push(toFinding(rule, hit, input.image)));
    }
    return findings.sort(compareFindings);
  }
}

/** Runs the built-in rules once; see HygieneChecker to reuse compiled rules or disable some. */
export function checkHygiene(input: HygieneInput, options: HygieneOptions = {}): Finding[] {
  return new HygieneChecker(loadHygieneRules(), options).check(input);
}

function toFinding(rule: HygieneRule, hit: Hit, image: string | undefined): Finding {
  const location: Finding['location'] = {};
  if (image !== undefined) location.image = image;
  if (hit.layer !== undefined) location.layer = hit.layer;
  if (hit.path !== undefined) location.path = hit.path;
  if (hit.object !== undefined) location.object = hit.object;
  return {
    kind: 'misconfiguration',
    id: rule.id,
    aliases: [],
    severity: rule.severity,
    title: rule.title,
    location,
    evidence: hit.evidence,
    remediation: rule.remediation,
    controls: [...rule.controls],
    references: [...rule.references],
  };
}
