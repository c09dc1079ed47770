import type { FilePosition } from '../ast.js';

/** What a message is about: a rules-file item, named when it has a name. */
export interface MessageItem {
  readonly kind: string;
  readonly name?: string;
}

/** An error or warning found while loading rules, with the file position it refers to. */
export interface LoadMessage {
  readonly severity: 'error' | 'warning';
  /** Stable kebab-case code, e.g. `undefined-macro`, `unknown-field`, `yaml-syntax`. */
  readonly code: string;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly item?: MessageItem;
}

/** `rules.yaml:12:5: error: rule 'Shell in container': unknown field 'proc.nam'` */
export function formatLoadMessage(m: LoadMessage): string {
  const item =
    m.item === undefined ? '' : `${m.item.kind}${m.item.name === undefined ? '' : ` '${m.item.name}'`}: `;
  return `${m.file}:${m.line}:${m.column}: ${m.severity}: ${item}${m.message}`;
}

export class MessageSink {
  readonly messages: LoadMessage[] = [];

  add(
    severity: LoadMessage['severity'],
    code: string,
    message: string,
    at: FilePosition,
    item?: MessageItem,
  ): void {
    this.messages.push({
      severity,
      code,
      message,
      file: at.file,
      line: at.line,
      column: at.column,
      ...(item === undefined ? {} : { item }),
    });
  }

  error(code: string, message: string, at: FilePosition, item?: MessageItem): void {
    this.add('error', code, message, at, item);
  }

  warning(code: string, message: string, at: FilePosition, item?: MessageItem): void {
    this.add('warning', code, message, at, item);
  }

  get errors(): LoadMessage[] {
    return this.messages.filter((m) => m.severity === 'error');
  }

  get warnings(): LoadMessage[] {
    return this.messages.filter((m) => m.severity === 'warning');
  }
}
