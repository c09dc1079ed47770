import { describe, expect, it } from 'vitest';
import type { CheckExpr, Expr } from './ast.js';
import { FilterError } from './filter-error.js';
import { parseCondition, unquote } from './parser.js';
import { inlineSource } from './source.js';

const parse = (text: string): Expr => parseCondition(inlineSource(text));

/** A compact rendering of the tree, to compare shapes. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'and':
    case 'or':
      return `(${e.children.map(show).join(` ${e.kind} `)})`;
    case 'not':
      return `not ${show(e.child)}`;
    case 'macro':
      return `@${e.name}`;
    case 'check': {
      const left =
        e.left.kind === 'field'
          ? e.left.name + (e.left.arg === undefined ? '' : `[${e.left.arg}]`)
          : `${e.left.fn}(…)`;
      const r = e.right;
      const right =
        r === undefined
          ? ''
          : r.kind === 'value'
            ? ` ${JSON.stringify(r.value)}`
            : r.kind === 'list'
              ? ` [${r.items.map((i) => JSON.stringify(i.value)).join(',')}]`
              : r.kind === 'listref'
                ? ` &${r.name}`
                : ' val(…)';
      return `${left} ${e.op}${right}`;
    }
  }
}

function errorAt(text: string): { message: string; column: number } {
  try {
    parse(text);
  } catch (err) {
    if (err instanceof FilterError)
      return { message: err.message, column: err.at.src.locate(err.at.offset).column };
    throw err;
  }
  throw new Error(`'${text}' parsed`);
}

describe('filter parser', () => {
  it('gives and precedence over or, and handles not chains', () => {
    expect(show(parse('a.b = 1 or c.d = 2 and not e.f = 3'))).toBe(
      '(a.b = "1" or (c.d = "2" and not e.f = "3"))',
    );
    expect(show(parse('not not a.b exists'))).toBe('a.b exists');
    expect(show(parse('not(a.b exists)'))).toBe('not a.b exists');
    expect(show(parse('a.b exists and(c.d exists or e.f exists)'))).toBe(
      '(a.b exists and (c.d exists or e.f exists))',
    );
  });

  it('reads macros, lists, list references and field arguments', () => {
    expect(show(parse('spawned_process and proc.name in (sh, "ba sh", \'x\')'))).toBe(
      '(@spawned_process and proc.name in ["sh","ba sh","x"])',
    );
    expect(show(parse('proc.name in shell_binaries'))).toBe('proc.name in &shell_binaries');
    expect(show(parse('proc.aname[2]=sshd and evt.arg.flags contains O_TRUNC'))).toBe(
      '(proc.aname[2] = "sshd" and evt.arg.flags contains "O_TRUNC")',
    );
    expect(show(parse('evt.arg["name"] = x and proc.name in ()'))).toBe(
      '(evt.arg[name] = "x" and proc.name in [])',
    );
    expect(show(parse('proc.pname in (runc:[0:PARENT], containerd-shim)'))).toBe(
      'proc.pname in ["runc:[0:PARENT]","containerd-shim"]',
    );
  });

  it('reads every operator, numbers and right-hand side fields', () => {
    for (const op of [
      '=',
      '==',
      '!=',
      'contains',
      'icontains',
      'bcontains',
      'startswith',
      'bstartswith',
      'endswith',
      'glob',
      'iglob',
      'regex',
    ]) {
      expect((parse(`fd.name ${op} x`) as CheckExpr).op).toBe(op);
    }
    for (const op of ['<', '<=', '>', '>=']) expect((parse(`fd.num ${op} 0x1F`) as CheckExpr).op).toBe(op);
    for (const op of ['in', 'intersects', 'pmatch'])
      expect((parse(`fd.name ${op} (/a)`) as CheckExpr).op).toBe(op);
    expect(show(parse('fd.num>=0'))).toBe('fd.num >= "0"');
    expect(show(parse('proc.name = val(proc.pname)'))).toBe('proc.name = val(…)');
    expect(show(parse('tolower(proc.name) = toupper(proc.pname)'))).toBe('tolower(…) = val(…)');
    expect(show(parse('len(basename(b64(proc.name))) > 3'))).toBe('len(…) > "3"');
  });

  it('unescapes quoted strings like libsinsp', () => {
    expect(unquote('"a\\"b\\\\c\\n"')).toBe('a"b\\c\n');
    expect(unquote("'it\\'s'")).toBe("it's");
    expect(unquote('"\\q"')).toEqual({ error: 'unsupported string escape sequence: \\q' });
    expect(unquote('"\\\'"')).toEqual({ error: 'invalid \\\' escape in "-quoted string' });
    expect(show(parse('proc.cmdline = "sh -c node -e \\"require(\'nan\')\\""'))).toBe(
      'proc.cmdline = "sh -c node -e \\"require(\'nan\')\\""',
    );
  });

  it('reports errors with the column where they are found', () => {
    expect(errorAt('proc.name')).toMatchObject({ column: 10 });
    expect(errorAt('proc.name = ').message).toMatch(/expected a value/);
    expect(errorAt('proc.name = x y.z = 1')).toMatchObject({ column: 15 });
    expect(errorAt('(proc.name = x')).toMatchObject({ message: "expected a ')'" });
    expect(errorAt('proc.name = "x')).toMatchObject({ column: 13, message: 'unterminated "-quoted string' });
    expect(errorAt('fd.num > abc').message).toBe('expected a number');
    expect(errorAt('proc.name in (a b)').message).toMatch(/expected ',' or '\)'/);
    expect(errorAt('  ').message).toBe('the condition is empty');
    expect(errorAt('a.b = 1 orc.d = 2').message).toMatch(/expected a blank or '\(' after 'or'/);
  });

  it('bounds nesting depth', () => {
    expect(errorAt(`${'('.repeat(2000)}a.b exists${')'.repeat(2000)}`).message).toMatch(/deeper than 1000/);
  });
});
