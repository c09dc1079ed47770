import type { Severity } from '../../policy/finding.js';
import type { Glob } from './glob.js';

/** Named checks a rule can ask for after its regex matched; implemented in validators.ts. */
export type ValidatorName =
  | 'private-key'
  | 'putty-key'
  | 'gcp-service-account'
  | 'basic-auth-base64'
  | 'base64-text'
  | 'base64-private-key'
  | 'jwt';

/** A rule as written in rules.yaml or a user's `--secret-config` file. */
export interface RuleSpec {
  id: string;
  title: string;
  severity: Severity;
  /** Literals of which at least one occurs inside every match; case-insensitive unless `keywordCase: sensitive`. */
  keywords?: string[];
  keywordCase?: 'insensitive' | 'sensitive';
  /** Linear-time-safe regex (see regex-safety.ts); `(?i)`-style leading flags allowed. */
  regex?: string;
  /** Capture group (number or name) holding the secret; the whole match when absent. */
  secretGroup?: number | string;
  /** Minimum Shannon entropy (bits/char) of the secret. */
  entropy?: number;
  /** Only files whose path matches one of these globs (`config:Env` etc. for image config strings). */
  paths?: string[];
  /** Files where this rule does not run, even when `paths` selects them. */
  excludePaths?: string[];
  /** Secrets matching any of these regexes are examples or placeholders, not findings. */
  allow?: string[];
  /** Matches whose whole text matches any of these regexes are not findings. */
  allowMatch?: string[];
  validate?: ValidatorName;
  /** Title/severity replacements when the validator reports a variant (e.g. `encrypted`). */
  variants?: Record<string, { title?: string; severity?: Severity }>;
  /** Composite rule: a match of the first rule and one of the second within N lines become one finding. */
  combine?: { rules: [string, string]; withinLines: number };
  remediation?: string;
  references?: string[];
}

export interface AllowRuleSpec {
  id: string;
  paths?: string[];
  regexes?: string[];
}

export interface AllowSpec {
  paths?: string[];
  regexes?: string[];
  /** Rule ids allowed everywhere, or allowed only under paths / for secrets matching regexes. */
  rules?: (string | AllowRuleSpec)[];
}

/** The shape of rules.yaml and of a `--secret-config` file. */
export interface SecretConfigFile {
  /** Rule ids to turn off. */
  disable?: string[];
  /** Rules to add; a rule with the id of a built-in one replaces it. */
  rules?: RuleSpec[];
  allow?: AllowSpec;
  /** Set false to drop the built-in path and example allow-lists. */
  builtinAllow?: boolean;
  /** Largest file scanned, in bytes. */
  maxFileSize?: number;
}

/** A rule ready to run. */
export interface CompiledRule {
  index: number;
  spec: RuleSpec;
  regex: RegExp | undefined;
  /** Longest span of a match: how far from a keyword hit a match can reach. */
  reach: number;
  secretGroup: number | string;
  entropy: number;
  paths: Glob[] | undefined;
  excludePaths: Glob[];
  allow: RegExp[];
  allowMatch: RegExp[];
  /** Rule-scoped allow-list entries from the user's config. */
  allowPaths: Glob[];
}

/** One secret found: what the scanner returns before it becomes a policy Finding. */
export interface SecretMatch {
  ruleId: string;
  title: string;
  severity: Severity;
  /** File path in the image, or the config location (`config:Env[3]`, `history[5]`). */
  path: string;
  /** True when `path` names an image-config string rather than a file. */
  inConfig: boolean;
  layer?: string;
  /** 1-based; absent for config strings. */
  line?: number;
  column?: number;
  /** Last line the finding covers (a key block, or the second half of a key pair). */
  endLine?: number;
  /** The secret, redacted. */
  redacted: string;
  /** The matched text with the secret redacted, one line. */
  evidence: string;
  /** The file is removed by a later layer but still ships in this one. */
  deletedLater: boolean;
}
