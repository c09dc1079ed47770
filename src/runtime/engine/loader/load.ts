import { readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import type { Expr } from '../ast.js';
import type { FieldContext } from '../fields/field.js';
import type { ListElement } from '../resolve.js';
import { exceptionValidator, type LoadedRule, RuleSetBuilder } from './build.js';
import { Collector } from './collector.js';
import { type LoadMessage, MessageSink } from './messages.js';
import { readRulesFile } from './reader.js';
import { YamlFile } from './yaml-file.js';

/**
 * A rules file: a path to read (a directory stands for its .yaml/.yml files in name order, as
 * Falco's rules_files allows), or content already in memory with the name to report.
 */
export type RuleFileInput = string | { readonly name: string; readonly content: string };

export interface LoadOptions {
  /** Host name for `evt.hostname` and alerts (default: this machine's). */
  readonly hostname?: string;
  /**
   * Text appended to every output that does not show the container already; Falco's
   * container plugin appends the same suggested fields. `false` appends nothing.
   */
  readonly appendOutput?: string | false;
  /** Largest rules file accepted (default 16 MiB). */
  readonly maxFileBytes?: number;
}

export const DEFAULT_APPEND_OUTPUT = 'container_id=%container.id container_name=%container.name';
const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Macros and lists of a rule set, for conditions compiled later (`compileFilter`). */
export interface Definitions {
  macro(name: string): Expr | undefined;
  list(name: string): readonly ListElement[] | undefined;
}

/** Loaded, validated and compiled rules, in definition order (disabled ones included). */
export interface RuleSet {
  readonly rules: readonly LoadedRule[];
  readonly macros: readonly string[];
  readonly lists: readonly string[];
  readonly definitions: Definitions;
  readonly files: readonly string[];
  readonly hostname: string;
}

export type LoadResult =
  | {
      readonly ok: true;
      readonly ruleSet: RuleSet;
      readonly errors: readonly [];
      readonly warnings: readonly LoadMessage[];
    }
  | {
      readonly ok: false;
      readonly errors: readonly LoadMessage[];
      readonly warnings: readonly LoadMessage[];
    };

const SOURCES: ReadonlySet<string> = new Set(['syscall']);

function readInput(input: RuleFileInput, maxBytes: number, sink: MessageSink): YamlFile | undefined {
  if (typeof input !== 'string') {
    if (Buffer.byteLength(input.content) > maxBytes) {
      sink.error('file-too-large', `rules file is larger than ${maxBytes} bytes`, {
        file: input.name,
        line: 1,
        column: 1,
      });
      return undefined;
    }
    return new YamlFile(input.name, input.content);
  }
  try {
    const size = statSync(input).size;
    if (size > maxBytes) {
      sink.error('file-too-large', `rules file is larger than ${maxBytes} bytes`, {
        file: input,
        line: 1,
        column: 1,
      });
      return undefined;
    }
    return new YamlFile(input, readFileSync(input, 'utf8'));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    sink.error('file-read', `cannot read rules file: ${reason}`, { file: input, line: 1, column: 1 });
    return undefined;
  }
}

/**
 * Loads Falco rules files, in order (later files extend and override earlier ones), and
 * compiles every rule. Any error makes the result not ok; warnings never do.
 */
/** Paths of directories replaced by the rules files they contain. */
function expandDirectories(files: readonly RuleFileInput[]): RuleFileInput[] {
  return files.flatMap((input): RuleFileInput[] => {
    if (typeof input !== 'string') return [input];
    try {
      if (!statSync(input).isDirectory()) return [input];
    } catch {
      return [input];
    }
    return readdirSync(input)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .map((name) => join(input, name));
  });
}

export function loadRules(inputs: readonly RuleFileInput[], options: LoadOptions = {}): LoadResult {
  const files = expandDirectories(inputs);
  const sink = new MessageSink();
  const ctx: FieldContext = { hostname: options.hostname ?? osHostname() };
  const collector = new Collector(exceptionValidator(ctx));
  const names: string[] = [];
  for (const input of files) {
    const file = readInput(input, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, sink);
    names.push(typeof input === 'string' ? input : input.name);
    if (file !== undefined) readRulesFile(file, { collector, sink, sources: SOURCES });
  }
  const appendOutput =
    options.appendOutput === false ? undefined : (options.appendOutput ?? DEFAULT_APPEND_OUTPUT);
  const builder = new RuleSetBuilder(collector, sink, {
    ctx,
    ...(appendOutput === undefined ? {} : { appendOutput }),
  });
  const rules = builder.build();
  const errors = sink.errors;
  const warnings = sink.warnings;
  if (errors.length > 0) return { ok: false, errors, warnings };
  return {
    ok: true,
    errors: [],
    warnings,
    ruleSet: {
      rules,
      macros: [...collector.macros.keys()],
      lists: [...collector.lists.keys()],
      definitions: builder.definitions(),
      files: names,
      hostname: ctx.hostname,
    },
  };
}

export interface ValidationReport {
  readonly ok: boolean;
  readonly errors: readonly LoadMessage[];
  readonly warnings: readonly LoadMessage[];
  readonly summary: {
    readonly rules: number;
    readonly enabledRules: number;
    readonly macros: number;
    readonly lists: number;
  };
}

/** What `cerana rules validate` reports: every problem found, and counts when the files load. */
export function validateRules(files: readonly RuleFileInput[], options: LoadOptions = {}): ValidationReport {
  const result = loadRules(files, options);
  if (!result.ok) {
    return {
      ok: false,
      errors: result.errors,
      warnings: result.warnings,
      summary: { rules: 0, enabledRules: 0, macros: 0, lists: 0 },
    };
  }
  const { rules, macros, lists } = result.ruleSet;
  return {
    ok: true,
    errors: [],
    warnings: result.warnings,
    summary: {
      rules: rules.length,
      enabledRules: rules.filter((r) => r.enabled).length,
      macros: macros.length,
      lists: lists.length,
    },
  };
}
