import type { ProgressSink } from '../image/types.js';

interface Bar {
  label: string;
  total: number;
  done: number;
  finished: boolean;
}

/** Draws one line per transfer on a TTY; redraws at most every 100 ms. */
export class TerminalProgress implements ProgressSink {
  private readonly bars = new Map<string, Bar>();
  private drawnLines = 0;
  private lastDraw = 0;

  constructor(private readonly out: NodeJS.WritableStream) {}

  start(id: string, label: string, total: number): void {
    this.bars.set(id, { label, total, done: 0, finished: false });
    this.draw(true);
  }

  advance(id: string, bytes: number): void {
    const bar = this.bars.get(id);
    if (!bar) return;
    bar.done += bytes;
    this.draw(false);
  }

  done(id: string): void {
    const bar = this.bars.get(id);
    if (!bar) return;
    bar.finished = true;
    this.draw(true);
  }

  private draw(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    let text = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : '';
    for (const bar of this.bars.values()) text += `\x1b[2K${renderBar(bar)}\n`;
    this.drawnLines = this.bars.size;
    this.out.write(text);
  }
}

function renderBar(bar: Bar): string {
  const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
  if (bar.finished) return `${bar.label}  done`;
  if (bar.total <= 0) return `${bar.label}  ${mib(bar.done)} MiB`;
  const ratio = Math.min(1, bar.done / bar.total);
  const width = 30;
  const filled = Math.round(ratio * width);
  return `${bar.label}  [${'='.repeat(filled)}${' '.repeat(width - filled)}] ${mib(bar.done)}/${mib(bar.total)} MiB`;
}

/** Progress only on an interactive terminal, never in CI or with --quiet. */
export function progressFor(
  interactive: boolean,
  quiet: boolean,
  out: NodeJS.WritableStream,
): ProgressSink | undefined {
  if (!interactive || quiet || process.env.CI) return undefined;
  return new TerminalProgress(out);
}
