import type { FileVisitor } from '../../image/scan/types.js';
import type { ImageConfig, TarHeader } from '../../image/types.js';
import type { Severity } from '../../policy/finding.js';
import { buildRuleSet, type RuleSet, readConfigFile } from './config.js';
import { randomEnough } from './entropy.js';
import { anyGlob } from './glob.js';
import { evidence, redact } from './redact.js';
import type { CompiledRule, SecretMatch } from './types.js';
import { TextSearch, VALIDATORS } from './validators.js';

/**
 * The secret detector. Per file: path allow-lists, size cap, binary sniff, then ONE pass of the
 * keyword automaton; only rules whose keywords occurred run their regex, and only on windows
 * around the keyword hits (a match contains one of its rule's keywords, and a rule regex has a
 * known maximum span — see regex-safety.ts — so a window of that span on each side holds every
 * match). Matches then go through validators, entropy and example allow-lists, overlapping
 * matches keep the most specific rule, and composite rules pair their parts (AWS key id + secret).
 *
 * Works on (path, bytes, layer) and on image-config strings; the layer scanner decides which
 * files to capture through `wants`.
 */

/** Bytes sniffed for NUL to tell binary from text (as git and grep do). */
const BINARY_SNIFF = 8192;
/** How far a window is widened to reach line boundaries, so `^`, `$` and lookbehinds see real context. */
const LINE_ALIGN_LIMIT = 1024;
const MAX_MATCHES_PER_RULE = 64;
const MAX_MATCHES_PER_FILE = 512;
/**
 * The global example/placeholder regexes judge values a person typed; inside a long random
 * secret (a key body) a word like `fake` or a run like `123123` is chance, not a placeholder.
 */
const GLOBAL_ALLOW_MAX = 200;

/** Never text worth scanning; skipped before capture to save memory in the layer pass. */
const BINARY_EXTENSIONS = new Set(
  (
    'png jpg jpeg gif ico webp bmp tif tiff psd pdf zip gz tgz bz2 xz zst lz4 7z rar jar war ear class ' +
    'so a o dylib dll exe bin woff woff2 ttf otf eot mp3 mp4 m4a avi mov mkv wav ogg flac pyc pyo whl deb ' +
    'rpm apk iso img qcow2 db sqlite sqlite3 mo gmo node wasm'
  ).split(' '),
);

export interface ScanFileInput {
  /** Path in the image (relative to the root, as in TarHeader.path). */
  path: string;
  content: Buffer;
  /** diffID of the layer that holds this version of the file. */
  layer?: string;
  /** True when a later layer deletes or replaces the file. */
  deletedLater?: boolean;
}

interface Candidate {
  rule: CompiledRule;
  /** Absolute offsets of the secret (or of the whole finding for validator-extended ones). */
  start: number;
  end: number;
  secret: string;
  evidence: string;
  severity: Severity;
  title: string;
}

export interface ScannerOptions {
  /**
   * Run the keyword pass and evaluate regexes only near keyword hits (default). Off, every
   * rule's regex runs over every whole file: the baseline bench/secrets measures against.
   */
  prefilter?: boolean;
}

export class SecretScanner implements FileVisitor {
  readonly name = 'secrets';
  readonly version: number;
  private readonly prefilter: boolean;

  constructor(
    readonly rules: RuleSet = buildRuleSet(),
    options: ScannerOptions = {},
  ) {
    this.version = rules.version;
    this.prefilter = options.prefilter ?? true;
  }

  /** Built-in rules, plus the user's `--secret-config` file when given. */
  static withConfigFile(path: string | undefined): SecretScanner {
    return new SecretScanner(buildRuleSet(path === undefined ? {} : { user: readConfigFile(path) }));
  }

  /** FileVisitor interest: regular, non-empty text-like files under the size cap and outside allow-listed paths. */
  wants(path: string, header: TarHeader): 'capture' | false {
    if (header.type !== 'file' || header.size === 0 || header.size > this.rules.maxFileSize) return false;
    const dot = path.lastIndexOf('.');
    if (dot > path.lastIndexOf('/') && BINARY_EXTENSIONS.has(path.slice(dot + 1).toLowerCase())) return false;
    return anyGlob(this.rules.allowPaths, path) ? false : 'capture';
  }

  scanFile(input: ScanFileInput): SecretMatch[] {
    const { path, content } = input;
    if (content.length === 0 || content.length > this.rules.maxFileSize) return [];
    if (anyGlob(this.rules.allowPaths, path)) return [];
    if (content.subarray(0, BINARY_SNIFF).includes(0)) return [];
    const candidates = this.candidates(path, content);
    if (candidates.length === 0) return [];
    const lines = new LineIndex(content);
    const base = {
      path,
      inConfig: false,
      deletedLater: input.deletedLater === true,
      ...(input.layer === undefined ? {} : { layer: input.layer }),
    };
    const located = candidates.map((c) => ({
      c,
      line: lines.lineOf(c.start),
      endLine: lines.lineOf(Math.max(c.start, c.end - 1)),
    }));
    const matches: SecretMatch[] = [];
    for (const { c, line, endLine } of this.combine(located)) {
      matches.push({
        ...base,
        ruleId: c.rule.spec.id,
        title: c.title,
        severity: c.severity,
        line,
        column: lines.columnOf(c.start),
        ...(endLine > line ? { endLine } : {}),
        redacted: redact(c.secret),
        evidence: c.evidence,
      });
    }
    return matches.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  }

  /** Secrets in `Env`, labels and history `created_by`; one finding per secret, first location wins. */
  scanConfig(config: ImageConfig): SecretMatch[] {
    const items = [
      ...config.env.map((text, i) => ({ where: `config:Env[${i}]`, scope: 'config:Env', text })),
      ...Object.entries(config.labels).map(([key, value]) => ({
        where: `config:Labels[${key}]`,
        scope: 'config:Labels',
        text: `${key}=${value}`,
      })),
      ...config.history.map((h, i) => ({
        where: `history[${i}]`,
        scope: 'config:history',
        text: h.createdBy,
      })),
    ];
    const seen = new Set<string>();
    const matches: SecretMatch[] = [];
    for (const item of items) {
      const content = Buffer.from(item.text, 'utf8');
      if (content.length > this.rules.maxFileSize) continue;
      for (const c of this.candidates(item.scope, content)) {
        const key = `${c.rule.spec.id}\0${c.secret}`;
        if (seen.has(key)) continue;
        seen.add(key);
        matches.push({
          ruleId: c.rule.spec.id,
          title: c.title,
          severity: c.severity,
          path: item.where,
          inConfig: true,
          redacted: redact(c.secret),
          evidence: c.evidence,
          deletedLater: false,
        });
      }
    }
    return matches;
  }

  /** All single-rule matches of a file, validated, filtered, de-overlapped, in offset order. */
  private candidates(path: string, content: Buffer): Candidate[] {
    const { rules, matcher, keywordRules, keywordLength, unkeyed } = this.rules;
    const eligible = new Uint8Array(rules.length);
    for (const rule of rules) {
      if (rule.regex === undefined) continue;
      if (rule.paths !== undefined && !anyGlob(rule.paths, path)) continue;
      if (anyGlob(rule.excludePaths, path) || anyGlob(rule.allowPaths, path)) continue;
      eligible[rule.index] = 1;
    }

    // Windows per rule, merged as hits arrive (hits come in end-offset order).
    const windows = new Map<number, number[]>();
    const n = content.length;
    const add = (rule: number, start: number, end: number): void => {
      const list = windows.get(rule);
      if (list === undefined) {
        windows.set(rule, [Math.max(0, start), Math.min(n, end)]);
        return;
      }
      const last = list.length - 1;
      if (start <= (list[last] as number)) list[last] = Math.max(list[last] as number, Math.min(n, end));
      else list.push(Math.max(0, start), Math.min(n, end));
    };
    if (this.prefilter) {
      matcher.scan(content, (keyword, end) => {
        const kwLength = keywordLength[keyword] as number;
        for (const index of keywordRules[keyword] as number[]) {
          if (eligible[index] === 0) continue;
          const reach = (rules[index] as CompiledRule).reach;
          add(index, end - reach, end - kwLength + reach);
        }
      });
    } else {
      for (const rule of rules) if (eligible[rule.index] === 1) windows.set(rule.index, [0, n]);
    }
    for (const rule of unkeyed) if (eligible[rule.index] === 1) windows.set(rule.index, [0, n]);
    if (windows.size === 0) return [];

    const text = content.toString('latin1');
    const search = new TextSearch(text);
    const found: Candidate[] = [];
    const order = [...windows.keys()].sort((a, b) => a - b);
    for (const index of order) {
      const rule = rules[index] as CompiledRule;
      const aligned = alignWindows(content, windows.get(index) as number[]);
      let count = 0;
      for (let w = 0; w < aligned.length && count < MAX_MATCHES_PER_RULE; w += 2) {
        const ws = aligned[w] as number;
        const sub = text.slice(ws, aligned[w + 1] as number);
        const regex = rule.regex as RegExp;
        regex.lastIndex = 0;
        for (let m = regex.exec(sub); m !== null && count < MAX_MATCHES_PER_RULE; m = regex.exec(sub)) {
          if (m[0].length === 0) regex.lastIndex++;
          const candidate = this.accept(rule, m, ws, text, search);
          if (candidate !== undefined) {
            found.push(candidate);
            count++;
          }
        }
      }
      if (found.length >= MAX_MATCHES_PER_FILE) break;
    }
    return removeOverlaps(found);
  }

  private accept(
    rule: CompiledRule,
    m: RegExpExecArray,
    offset: number,
    text: string,
    search: TextSearch,
  ): Candidate | undefined {
    const group = rule.secretGroup;
    const value = typeof group === 'number' ? m[group] : m.groups?.[group];
    const span = typeof group === 'number' ? m.indices?.[group] : m.indices?.groups?.[group];
    if (value === undefined || span === undefined || value.length === 0) return undefined;
    const match = m[0];
    for (const re of rule.allowMatch) if (re.test(match)) return undefined;

    let secret = value;
    let start = offset + span[0];
    let end = offset + span[1];
    let shown: string | undefined;
    let variant: string | undefined;
    if (rule.spec.validate !== undefined) {
      const result = VALIDATORS[rule.spec.validate]({
        text,
        matchStart: offset + m.index,
        matchEnd: offset + m.index + match.length,
        match,
        secret: value,
        search,
      });
      if (!result.ok) return undefined;
      if (result.secret !== undefined) {
        secret = result.secret;
        start = offset + m.index;
        end = result.end ?? offset + m.index + match.length;
      }
      shown = result.evidence;
      variant = result.variant;
    }
    if (!randomEnough(secret, rule.entropy)) return undefined;
    for (const re of rule.allow) if (re.test(secret)) return undefined;
    if (secret.length <= GLOBAL_ALLOW_MAX)
      for (const re of this.rules.allowRegexes) if (re.test(secret)) return undefined;

    const v = variant === undefined ? undefined : rule.spec.variants?.[variant];
    return {
      rule,
      start,
      end,
      secret,
      evidence: shown ?? evidence(match, span[0] - m.index, span[1] - m.index, value),
      severity: v?.severity ?? rule.spec.severity,
      title: v?.title ?? rule.spec.title,
    };
  }

  /** Applies composite rules: nearest pairs of their two parts become one finding. */
  private combine<T extends { c: Candidate; line: number; endLine: number }>(located: T[]): T[] {
    let out = located;
    for (const combo of this.rules.combined) {
      const spec = combo.spec.combine;
      if (spec === undefined) continue;
      const [first, second] = spec.rules;
      const seconds = out.filter((x) => x.c.rule.spec.id === second);
      const used = new Set<T>();
      const merged: T[] = [];
      for (const a of out) {
        if (a.c.rule.spec.id !== first) continue;
        let best: T | undefined;
        for (const b of seconds) {
          if (used.has(b) || Math.abs(b.line - a.line) > spec.withinLines) continue;
          if (best === undefined || Math.abs(b.line - a.line) < Math.abs(best.line - a.line)) best = b;
        }
        if (best === undefined) continue;
        used.add(a);
        used.add(best);
        const [lead, other] = a.c.start <= best.c.start ? [a, best] : [best, a];
        merged.push({
          ...lead,
          line: lead.line,
          endLine: Math.max(lead.endLine, other.endLine),
          c: {
            ...lead.c,
            rule: combo,
            secret: a.c.secret,
            severity: combo.spec.severity,
            title: combo.spec.title,
            evidence: `${a.c.evidence} + ${best.c.evidence}`,
          },
        });
      }
      if (merged.length > 0)
        out = [...out.filter((x) => !used.has(x)), ...merged].sort((x, y) => x.c.start - y.c.start);
    }
    return out;
  }
}

/** Widens each window to whole lines (bounded), then merges windows that now overlap. */
function alignWindows(content: Buffer, windows: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < windows.length; i += 2) {
    let start = windows[i] as number;
    let end = windows[i + 1] as number;
    const floor = Math.max(0, start - LINE_ALIGN_LIMIT);
    while (start > floor && content[start - 1] !== 0x0a) start--;
    const ceiling = Math.min(content.length, end + LINE_ALIGN_LIMIT);
    while (end < ceiling && content[end] !== 0x0a) end++;
    const last = out.length - 1;
    if (last > 0 && start <= (out[last] as number)) out[last] = Math.max(out[last] as number, end);
    else out.push(start, end);
  }
  return out;
}

/** Where two matches cover overlapping bytes, the rule listed first (the more specific) wins. */
function removeOverlaps(found: Candidate[]): Candidate[] {
  found.sort((a, b) => a.start - b.start || a.rule.index - b.rule.index);
  const kept: Candidate[] = [];
  for (const c of found) {
    let dominated = false;
    for (let k = kept.length - 1; k >= 0; k--) {
      const other = kept[k] as Candidate;
      if (other.end <= c.start) continue;
      if (other.rule.index <= c.rule.index) {
        dominated = true;
        break;
      }
    }
    if (dominated) continue;
    for (let k = kept.length - 1; k >= 0; k--) {
      const other = kept[k] as Candidate;
      if (other.end > c.start && other.start < c.end) kept.splice(k, 1);
    }
    kept.push(c);
  }
  return kept;
}

/** Line and column of byte offsets, built on first use. */
class LineIndex {
  private starts: number[] | undefined;

  constructor(private readonly content: Buffer) {}

  private lineStarts(): number[] {
    if (this.starts === undefined) {
      const starts = [0];
      for (let at = this.content.indexOf(0x0a); at >= 0; at = this.content.indexOf(0x0a, at + 1))
        starts.push(at + 1);
      this.starts = starts;
    }
    return this.starts;
  }

  /** 1-based line of a byte offset. */
  lineOf(offset: number): number {
    const starts = this.lineStarts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** 1-based column in UTF-16 code units, as editors and SARIF count. */
  columnOf(offset: number): number {
    const lineStart = this.lineStarts()[this.lineOf(offset) - 1] as number;
    return this.content.toString('utf8', lineStart, offset).length + 1;
  }
}
