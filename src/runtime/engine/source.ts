import type { FilePosition, ItemKind, SourceText } from './ast.js';

/** Text typed directly (a `--filter` argument, a test): positions are within the text itself. */
export function inlineSource(text: string, name = 'filter', file = '<filter>'): SourceText {
  return {
    itemKind: 'filter',
    itemName: name,
    text,
    locate: (offset) => {
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      return { file, line, column: offset - before.lastIndexOf('\n') };
    },
  };
}

/** One piece of a condition or output: Falco's `append` joins pieces from several items and files. */
export interface TextPiece {
  readonly text: string;
  readonly locate: (offset: number) => FilePosition;
}

/** The pieces joined with spaces, each character still mapping back to its own file. */
export function joinPieces(pieces: readonly TextPiece[], itemKind: ItemKind, itemName: string): SourceText {
  const starts: number[] = [];
  let text = '';
  for (const [i, piece] of pieces.entries()) {
    if (i > 0) text += ' ';
    starts.push(text.length);
    text += piece.text;
  }
  return {
    itemKind,
    itemName,
    text,
    locate: (offset) => {
      let i = starts.length - 1;
      while (i > 0 && (starts[i] as number) > offset) i--;
      const piece = pieces[i] as TextPiece;
      return piece.locate(Math.min(offset - (starts[i] as number), piece.text.length));
    },
  };
}
