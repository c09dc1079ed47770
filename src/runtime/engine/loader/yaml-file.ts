import {
  type Document,
  isAlias,
  isScalar,
  LineCounter,
  type Node,
  parseAllDocuments,
  Scalar,
  type YAMLMap,
} from 'yaml';
import type { FilePosition, ItemKind, SourceText } from '../ast.js';
import type { TextPiece } from '../source.js';

/**
 * A rules file parsed with yaml's failsafe schema: every scalar stays the text that was
 * written (`0x10` stays `0x10`, `true` stays `true`), as yaml-cpp gives it to Falco, and every
 * node keeps its offsets for messages.
 */
export class YamlFile {
  readonly documents: readonly Document.Parsed[];
  private readonly lines = new LineCounter();

  constructor(
    readonly name: string,
    readonly text: string,
  ) {
    const docs = parseAllDocuments(text, {
      schema: 'failsafe',
      lineCounter: this.lines,
      uniqueKeys: true,
      prettyErrors: false,
    });
    this.documents = Array.isArray(docs) ? docs : [];
  }

  position(offset: number): FilePosition {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.name, line, column: col };
  }

  nodePosition(node: Node | null | undefined): FilePosition {
    return this.position(node?.range?.[0] ?? 0);
  }

  /** Follows an alias to its anchor. */
  deref(node: unknown): Node | undefined {
    if (isAlias(node)) {
      for (const doc of this.documents) {
        const target = node.resolve(doc);
        if (target !== undefined) return target as Node;
      }
      return undefined;
    }
    return (node ?? undefined) as Node | undefined;
  }

  get(map: YAMLMap, key: string): Node | undefined {
    for (const pair of map.items) {
      const k = this.deref(pair.key);
      if (isScalar(k) && k.value === key) {
        const value = this.deref(pair.value);
        if (value !== undefined) return value;
        const empty = new Scalar('');
        empty.range = k.range;
        return empty;
      }
    }
    return undefined;
  }

  keys(map: YAMLMap): { key: string; node: Node }[] {
    const out: { key: string; node: Node }[] = [];
    for (const pair of map.items) {
      const k = this.deref(pair.key);
      if (isScalar(k)) out.push({ key: String(k.value), node: k });
    }
    return out;
  }

  /** A scalar's text, or undefined for collections; null values read as ''. */
  scalar(node: Node | undefined): string | undefined {
    if (node === undefined) return undefined;
    if (!isScalar(node)) return undefined;
    return node.value === null || node.value === undefined ? '' : String(node.value);
  }

  /** Text of a scalar with a mapping from each character back to the file. */
  piece(node: Node): TextPiece {
    const text = this.scalar(node) ?? '';
    let map: Int32Array | undefined;
    return {
      text,
      locate: (offset) => {
        map ??= alignScalar(this.text, node.range?.[0] ?? 0, node.range?.[1] ?? 0, text);
        return this.position(map[Math.max(0, Math.min(offset, map.length - 1))] as number);
      },
    };
  }

  source(node: Node, itemKind: ItemKind, itemName: string): SourceText {
    const piece = this.piece(node);
    return { itemKind, itemName, text: piece.text, locate: piece.locate };
  }
}

const SEARCH_WINDOW = 256;

/**
 * Maps each character of a scalar's value to its offset in the file. Folded and quoted
 * scalars differ from their source (line breaks become spaces, escapes shrink), so characters
 * are matched greedily in order; an unmatched one keeps the previous position.
 */
function alignScalar(src: string, start: number, end: number, value: string): Int32Array {
  const map = new Int32Array(value.length + 1);
  let j = start;
  const first = src[j];
  if (first === '|' || first === '>') {
    const nl = src.indexOf('\n', j);
    j = nl < 0 || nl >= end ? end : nl + 1;
  } else if (first === '"' || first === "'") {
    j++;
  }
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    const limit = Math.min(end, j + SEARCH_WINDOW);
    let k = j;
    while (k < limit && src[k] !== c && !((c === ' ' || c === '\n') && src[k] === '\n')) k++;
    if (k < limit) {
      map[i] = k;
      j = k + 1;
    } else {
      map[i] = j;
    }
  }
  map[value.length] = j;
  return map;
}
