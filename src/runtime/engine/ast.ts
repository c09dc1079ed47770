/**
 * Syntax tree of a filter condition (libsinsp grammar). Every node remembers where its text
 * came from, so an error found after macro expansion still points at the right file, item,
 * line and column.
 */

export type ItemKind = 'rule' | 'macro' | 'list' | 'exception' | 'filter' | 'output';

export interface FilePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** A piece of text the parser read: a rule or macro condition, an exception, an inline filter. */
export interface SourceText {
  readonly itemKind: ItemKind;
  readonly itemName: string;
  readonly text: string;
  /** File position of a character of `text` (text appended from several files maps to each). */
  readonly locate: (offset: number) => FilePosition;
}

export interface Loc {
  readonly src: SourceText;
  readonly offset: number;
}

export type Operator =
  | '='
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'contains'
  | 'icontains'
  | 'bcontains'
  | 'startswith'
  | 'bstartswith'
  | 'endswith'
  | 'glob'
  | 'iglob'
  | 'regex'
  | 'in'
  | 'intersects'
  | 'pmatch'
  | 'exists';

export const TRANSFORMERS = ['tolower', 'toupper', 'b64', 'basename', 'len'] as const;
export type TransformerName = (typeof TRANSFORMERS)[number];

export interface FieldRef {
  readonly kind: 'field';
  /** Full name as written, including dotted arguments (`evt.arg.flags`). */
  readonly name: string;
  /** The bracket argument (`proc.aname[2]` → `2`), if any. */
  readonly arg?: string;
  readonly at: Loc;
}

export interface TransformRef {
  readonly kind: 'transform';
  readonly fn: TransformerName;
  readonly operand: FieldOperand;
  readonly at: Loc;
}

export type FieldOperand = FieldRef | TransformRef;

export interface ValueItem {
  readonly value: string;
  readonly at: Loc;
}

export interface ScalarValue {
  readonly kind: 'value';
  readonly value: string;
  /** Bare values may name a list; quoted ones never do. */
  readonly quoted: boolean;
  readonly at: Loc;
}

export interface ListValue {
  readonly kind: 'list';
  readonly items: readonly (ValueItem & { readonly quoted: boolean })[];
  readonly at: Loc;
}

/** `in some_list` without parentheses. */
export interface ListRef {
  readonly kind: 'listref';
  readonly name: string;
  readonly at: Loc;
}

/** `val(field)` or a transformer on the right-hand side: compare with another field. */
export interface FieldValue {
  readonly kind: 'fieldval';
  readonly field: FieldOperand;
  readonly at: Loc;
}

export type RightOperand = ScalarValue | ListValue | ListRef | FieldValue;

export interface CheckExpr {
  readonly kind: 'check';
  readonly left: FieldOperand;
  readonly op: Operator;
  readonly right?: RightOperand;
  readonly at: Loc;
}

export interface AndExpr {
  readonly kind: 'and';
  readonly children: readonly Expr[];
  readonly at: Loc;
}

export interface OrExpr {
  readonly kind: 'or';
  readonly children: readonly Expr[];
  readonly at: Loc;
}

export interface NotExpr {
  readonly kind: 'not';
  readonly child: Expr;
  readonly at: Loc;
}

export interface MacroRef {
  readonly kind: 'macro';
  readonly name: string;
  readonly at: Loc;
}

export type Expr = AndExpr | OrExpr | NotExpr | CheckExpr | MacroRef;

/** The operand as written, for messages (`tolower(proc.name)`). */
export function operandText(op: FieldOperand): string {
  if (op.kind === 'field') return op.arg === undefined ? op.name : `${op.name}[${op.arg}]`;
  return `${op.fn}(${operandText(op.operand)})`;
}
