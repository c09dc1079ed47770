import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { CeranaError } from '../../common/errors.js';
import { isSeverity } from '../../policy/finding.js';
import { Glob } from './glob.js';
import { type Keyword, KeywordMatcher } from './keyword-matcher.js';
import { checkRegex } from './regex-safety.js';
import type {
  AllowRuleSpec,
  AllowSpec,
  CompiledRule,
  RuleSpec,
  SecretConfigFile,
  ValidatorName,
} from './types.js';
import { VALIDATORS } from './validators.js';

/**
 * Turns rules.yaml plus an optional user `--secret-config` into a RuleSet: every regex checked
 * for linear-time safety, every glob parsed, all keywords in one automaton. Everything a user
 * can get wrong is reported as one CeranaError line naming the file and the rule.
 */

export const DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024;
/** Entropy asked of a secret when its rule does not say. */
const DEFAULT_ENTROPY = 3;
const CONFIG_FILE_LIMIT = 1024 * 1024;

export interface RuleSet {
  /** Rules in priority order: where two matches cover the same secret, the earlier rule wins. */
  rules: CompiledRule[];
  byId: Map<string, CompiledRule>;
  /** Composite rules (`combine:`), applied after single-rule matching. */
  combined: CompiledRule[];
  matcher: KeywordMatcher;
  /** For each keyword: its length in bytes and the rules it triggers. */
  keywordLength: number[];
  keywordRules: number[][];
  /** Rules with no keywords; they run over whole files their `paths` select. */
  unkeyed: CompiledRule[];
  allowPaths: Glob[];
  allowRegexes: RegExp[];
  maxFileSize: number;
  /** Changes whenever the effective rules change (FileVisitor cache key). */
  version: number;
}

export const BUILTIN_RULES_URL = new URL('./rules.yaml', import.meta.url);

let builtin: SecretConfigFile | undefined;

export function builtinConfig(): SecretConfigFile {
  builtin ??= parseConfig(readFileSync(BUILTIN_RULES_URL, 'utf8'), 'built-in rules.yaml');
  return builtin;
}

/** Reads a user's `--secret-config` file. */
export function readConfigFile(path: string): SecretConfigFile {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    throw new CeranaError('NOT_FOUND', `secret config ${path} cannot be read`, { cause: error });
  }
  if (size > CONFIG_FILE_LIMIT) throw new CeranaError('LIMIT', `secret config ${path} is larger than 1 MiB`);
  return parseConfig(readFileSync(path, 'utf8'), path);
}

export function parseConfig(text: string, source: string): SecretConfigFile {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 50 });
  } catch (error) {
    throw new CeranaError('INPUT', `${source}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  return new Shape(source).config(doc);
}

export interface RuleSetOptions {
  /** The user's config, already parsed (see readConfigFile). */
  user?: SecretConfigFile;
  /** Replaces the built-in rules (tests, benchmarks). */
  base?: SecretConfigFile;
}

export function buildRuleSet(options: RuleSetOptions = {}): RuleSet {
  const base = options.base ?? builtinConfig();
  const user = options.user ?? {};
  const specs = [...(base.rules ?? [])];
  const position = new Map(specs.map((s, i) => [s.id, i]));
  for (const rule of user.rules ?? []) {
    const at = position.get(rule.id);
    if (at === undefined) {
      position.set(rule.id, specs.length);
      specs.push(rule);
    } else specs[at] = rule;
  }
  const known = new Set(specs.map((s) => s.id));
  const disabled = new Set<string>();
  const userAllow = user.allow ?? {};
  const ruleAllow = new Map<string, AllowRuleSpec[]>();
  for (const id of [...(base.disable ?? []), ...(user.disable ?? [])]) disabled.add(id);
  for (const entry of userAllow.rules ?? []) {
    if (typeof entry === 'string') disabled.add(entry);
    else ruleAllow.set(entry.id, [...(ruleAllow.get(entry.id) ?? []), entry]);
  }
  for (const id of [...disabled, ...ruleAllow.keys()]) {
    if (!known.has(id)) {
      throw new CeranaError('INPUT', `secret config names an unknown rule: ${id}`, {
        hint: 'rule ids are listed by the built-in rules.yaml',
      });
    }
  }

  const rules: CompiledRule[] = [];
  for (const spec of specs) {
    if (disabled.has(spec.id)) continue;
    rules.push(compileRule(spec, rules.length, ruleAllow.get(spec.id) ?? []));
  }
  const byId = new Map(rules.map((r) => [r.spec.id, r]));
  for (const rule of rules) {
    for (const part of rule.spec.combine?.rules ?? []) {
      if (!known.has(part))
        throw new CeranaError('INPUT', `rule ${rule.spec.id} combines unknown rule ${part}`);
    }
  }

  const keywords: Keyword[] = [];
  const keywordIndex = new Map<string, number>();
  const keywordRules: number[][] = [];
  const unkeyed: CompiledRule[] = [];
  for (const rule of rules) {
    if (rule.regex === undefined) continue;
    const caseSensitive = rule.spec.keywordCase === 'sensitive';
    if ((rule.spec.keywords ?? []).length === 0) unkeyed.push(rule);
    for (const raw of rule.spec.keywords ?? []) {
      const text = caseSensitive ? raw : raw.toLowerCase();
      const key = `${caseSensitive ? 'S' : 'I'}${text}`;
      let index = keywordIndex.get(key);
      if (index === undefined) {
        index = keywords.length;
        keywordIndex.set(key, index);
        keywords.push({ text, caseSensitive });
        keywordRules.push([]);
      }
      const list = keywordRules[index] as number[];
      if (!list.includes(rule.index)) list.push(rule.index);
    }
  }

  const builtinAllow = user.builtinAllow === false ? {} : (base.allow ?? {});
  const allowPathSpecs = [...(builtinAllow.paths ?? []), ...(userAllow.paths ?? [])];
  const allowRegexSpecs = [...(builtinAllow.regexes ?? []), ...(userAllow.regexes ?? [])];
  const maxFileSize = user.maxFileSize ?? base.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;

  const version = Number.parseInt(
    createHash('sha256')
      .update(
        JSON.stringify({
          specs: rules.map((r) => r.spec),
          allowPathSpecs,
          allowRegexSpecs,
          maxFileSize,
          ruleAllow: [...ruleAllow],
        }),
      )
      .digest('hex')
      .slice(0, 8),
    16,
  );

  return {
    rules,
    byId,
    combined: rules.filter((r) => r.spec.combine !== undefined),
    matcher: new KeywordMatcher(keywords),
    keywordLength: keywords.map((k) => Buffer.byteLength(k.text)),
    keywordRules,
    unkeyed,
    allowPaths: allowPathSpecs.map((p) => new Glob(p)),
    allowRegexes: allowRegexSpecs.map((r, i) => compileAllow(r, `allow.regexes[${i}]`)),
    maxFileSize,
    version,
  };
}

function compileAllow(pattern: string, what: string): RegExp {
  const safe = checkRegex(pattern, what);
  return new RegExp(safe.source, safe.flags);
}

function compileRule(spec: RuleSpec, index: number, userAllow: AllowRuleSpec[]): CompiledRule {
  const what = `secret rule ${spec.id}`;
  let regex: RegExp | undefined;
  let reach = 0;
  let secretGroup: number | string = spec.secretGroup ?? 0;
  if (spec.regex !== undefined) {
    const safe = checkRegex(spec.regex, what);
    regex = new RegExp(safe.source, `${safe.flags}gd`);
    reach = safe.maxLength;
    if (spec.secretGroup === undefined && safe.source.includes('(?<secret>')) secretGroup = 'secret';
    const probe = new RegExp(`(?:${safe.source})|`, safe.flags).exec('') as RegExpExecArray;
    const exists =
      typeof secretGroup === 'number' ? secretGroup < probe.length : secretGroup in (probe.groups ?? {});
    if (!exists)
      throw new CeranaError('INPUT', `${what}: the regex has no group ${JSON.stringify(secretGroup)}`);
  }
  return {
    index,
    spec,
    regex,
    reach,
    secretGroup,
    entropy: spec.entropy ?? DEFAULT_ENTROPY,
    paths: spec.paths?.map((p) => new Glob(p)),
    excludePaths: (spec.excludePaths ?? []).map((p) => new Glob(p)),
    allow: [...(spec.allow ?? []), ...userAllow.flatMap((a) => a.regexes ?? [])].map((r, i) =>
      compileAllow(r, `${what} allow[${i}]`),
    ),
    allowMatch: (spec.allowMatch ?? []).map((r, i) => compileAllow(r, `${what} allowMatch[${i}]`)),
    allowPaths: userAllow.flatMap((a) => a.paths ?? []).map((p) => new Glob(p)),
  };
}

/** Structural validation of untrusted config documents, one clear message per mistake. */
class Shape {
  constructor(private readonly source: string) {}

  private fail(where: string, message: string): never {
    throw new CeranaError('INPUT', `${this.source}: ${where}: ${message}`);
  }

  private object(value: unknown, where: string, allowed: readonly string[]): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      this.fail(where, 'must be a mapping');
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!allowed.includes(key))
        this.fail(where, `unknown key '${key}' (expected one of: ${allowed.join(', ')})`);
    }
    return record;
  }

  private string(value: unknown, where: string, max = 8192): string {
    if (typeof value !== 'string' || value.length === 0 || value.length > max) {
      this.fail(where, `must be a non-empty string of at most ${max} characters`);
    }
    return value;
  }

  private strings(value: unknown, where: string, max = 8192): string[] {
    if (!Array.isArray(value)) this.fail(where, 'must be a list of strings');
    if (value.length > 10_000) this.fail(where, 'has more than 10000 entries');
    return value.map((v, i) => this.string(v, `${where}[${i}]`, max));
  }

  private number(value: unknown, where: string, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      this.fail(where, `must be a number from ${min} to ${max}`);
    }
    return value;
  }

  config(doc: unknown): SecretConfigFile {
    const o = this.object(doc, 'document', ['disable', 'rules', 'allow', 'builtinAllow', 'maxFileSize']);
    const out: SecretConfigFile = {};
    if (o.disable !== undefined) out.disable = this.strings(o.disable, 'disable', 64);
    if (o.rules !== undefined) {
      if (!Array.isArray(o.rules)) this.fail('rules', 'must be a list');
      const ids = new Set<string>();
      out.rules = o.rules.map((r, i) => {
        const rule = this.rule(r, `rules[${i}]`);
        if (ids.has(rule.id)) this.fail(`rules[${i}]`, `duplicate rule id ${rule.id}`);
        ids.add(rule.id);
        return rule;
      });
    }
    if (o.allow !== undefined) out.allow = this.allow(o.allow);
    if (o.builtinAllow !== undefined) {
      if (typeof o.builtinAllow !== 'boolean') this.fail('builtinAllow', 'must be true or false');
      out.builtinAllow = o.builtinAllow;
    }
    if (o.maxFileSize !== undefined)
      out.maxFileSize = this.number(o.maxFileSize, 'maxFileSize', 1, 1024 ** 3);
    return out;
  }

  private allow(value: unknown): AllowSpec {
    const o = this.object(value, 'allow', ['paths', 'regexes', 'rules']);
    const out: AllowSpec = {};
    if (o.paths !== undefined) out.paths = this.strings(o.paths, 'allow.paths', 512);
    if (o.regexes !== undefined) out.regexes = this.strings(o.regexes, 'allow.regexes');
    if (o.rules !== undefined) {
      if (!Array.isArray(o.rules)) this.fail('allow.rules', 'must be a list');
      out.rules = o.rules.map((r, i) => {
        const where = `allow.rules[${i}]`;
        if (typeof r === 'string') return this.string(r, where, 64);
        const e = this.object(r, where, ['id', 'paths', 'regexes']);
        const entry: AllowRuleSpec = { id: this.string(e.id, `${where}.id`, 64) };
        if (e.paths !== undefined) entry.paths = this.strings(e.paths, `${where}.paths`, 512);
        if (e.regexes !== undefined) entry.regexes = this.strings(e.regexes, `${where}.regexes`);
        return entry;
      });
    }
    return out;
  }

  private rule(value: unknown, where: string): RuleSpec {
    const o = this.object(value, where, [
      'id',
      'title',
      'severity',
      'keywords',
      'keywordCase',
      'regex',
      'secretGroup',
      'entropy',
      'paths',
      'excludePaths',
      'allow',
      'allowMatch',
      'validate',
      'variants',
      'combine',
      'remediation',
      'references',
    ]);
    const id = this.string(o.id, `${where}.id`, 64);
    if (!/^[a-z0-9][a-z0-9-]{1,63}$/.test(id))
      this.fail(`${where}.id`, 'must be lower-case letters, digits and dashes');
    const at = `rule ${id}`;
    const severity = o.severity;
    if (!isSeverity(severity)) this.fail(`${at}.severity`, 'must be CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN');
    const rule: RuleSpec = { id, title: this.string(o.title, `${at}.title`, 200), severity };
    if (o.keywords !== undefined) rule.keywords = this.strings(o.keywords, `${at}.keywords`, 64);
    if (o.keywordCase !== undefined) {
      if (o.keywordCase !== 'sensitive' && o.keywordCase !== 'insensitive') {
        this.fail(`${at}.keywordCase`, "must be 'sensitive' or 'insensitive'");
      }
      rule.keywordCase = o.keywordCase;
    }
    if (o.regex !== undefined) rule.regex = this.string(o.regex, `${at}.regex`);
    if (o.secretGroup !== undefined) {
      if (typeof o.secretGroup === 'number')
        rule.secretGroup = this.number(o.secretGroup, `${at}.secretGroup`, 0, 99);
      else rule.secretGroup = this.string(o.secretGroup, `${at}.secretGroup`, 64);
    }
    if (o.entropy !== undefined) rule.entropy = this.number(o.entropy, `${at}.entropy`, 0, 8);
    if (o.paths !== undefined) rule.paths = this.strings(o.paths, `${at}.paths`, 512);
    if (o.excludePaths !== undefined)
      rule.excludePaths = this.strings(o.excludePaths, `${at}.excludePaths`, 512);
    if (o.allow !== undefined) rule.allow = this.strings(o.allow, `${at}.allow`);
    if (o.allowMatch !== undefined) rule.allowMatch = this.strings(o.allowMatch, `${at}.allowMatch`);
    if (o.validate !== undefined) {
      const name = this.string(o.validate, `${at}.validate`, 64);
      if (!(name in VALIDATORS))
        this.fail(`${at}.validate`, `unknown validator (known: ${Object.keys(VALIDATORS).join(', ')})`);
      rule.validate = name as ValidatorName;
    }
    if (o.variants !== undefined) {
      const variants = this.object(o.variants, `${at}.variants`, ['encrypted']);
      rule.variants = {};
      for (const [name, v] of Object.entries(variants)) {
        const variant = this.object(v, `${at}.variants.${name}`, ['title', 'severity']);
        const entry: { title?: string; severity?: RuleSpec['severity'] } = {};
        if (variant.title !== undefined)
          entry.title = this.string(variant.title, `${at}.variants.${name}.title`, 200);
        if (variant.severity !== undefined) {
          if (!isSeverity(variant.severity)) this.fail(`${at}.variants.${name}.severity`, 'not a severity');
          entry.severity = variant.severity;
        }
        rule.variants[name] = entry;
      }
    }
    if (o.combine !== undefined) {
      const c = this.object(o.combine, `${at}.combine`, ['rules', 'withinLines']);
      const parts = this.strings(c.rules, `${at}.combine.rules`, 64);
      if (parts.length !== 2) this.fail(`${at}.combine.rules`, 'must name exactly two rules');
      rule.combine = {
        rules: [parts[0] as string, parts[1] as string],
        withinLines: this.number(c.withinLines, `${at}.combine.withinLines`, 0, 1000),
      };
    }
    if (o.remediation !== undefined) rule.remediation = this.string(o.remediation, `${at}.remediation`, 2000);
    if (o.references !== undefined) rule.references = this.strings(o.references, `${at}.references`, 2000);
    if ((rule.regex === undefined) === (rule.combine === undefined)) {
      this.fail(at, 'needs exactly one of regex or combine');
    }
    if (rule.regex !== undefined && (rule.keywords ?? []).length === 0 && (rule.paths ?? []).length === 0) {
      this.fail(at, 'needs keywords, or paths that limit it to a few files');
    }
    return rule;
  }
}
