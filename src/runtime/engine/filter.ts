import { hostname as osHostname } from 'node:os';
import { CeranaError } from '../../common/errors.js';
import { compileExpr, type Filter } from './compile.js';
import { FilterError } from './filter-error.js';
import type { RuleSet } from './loader/load.js';
import { parseCondition } from './parser.js';
import { resolveExpr } from './resolve.js';
import { inlineSource } from './source.js';

export interface CompileFilterOptions {
  /** Macros and lists a condition may use, taken from loaded rules. */
  readonly rules?: RuleSet;
  readonly hostname?: string;
}

/**
 * Compiles one filter condition (a `--filter` argument, a profile expression) to a closure.
 * Errors are CeranaErrors naming the column of the problem.
 */
export function compileFilter(condition: string, options: CompileFilterOptions = {}): Filter {
  const src = inlineSource(condition);
  try {
    const expr = parseCondition(src);
    const defs = options.rules?.definitions;
    const resolved = resolveExpr(expr, {
      macro: (name) => defs?.macro(name),
      list: (name) => defs?.list(name),
    });
    return compileExpr(resolved, {
      ctx: { hostname: options.hostname ?? options.rules?.hostname ?? osHostname() },
    });
  } catch (err) {
    if (err instanceof FilterError) {
      const pos = err.at.src.locate(err.at.offset);
      const where = pos.line > 1 ? `line ${pos.line} column ${pos.column}` : `column ${pos.column}`;
      throw new CeranaError('INPUT', `invalid filter at ${where}: ${err.message}`, {
        hint: 'see the Falco condition syntax: field operator value, joined with and/or/not',
      });
    }
    throw err;
  }
}
