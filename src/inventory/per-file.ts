import { appendAll } from './text.js';

interface Computed<T> {
  path: string;
  value: T;
  warnings: readonly string[];
}

/**
 * What a cataloger computes from one captured file (a parsed package.json, a dpkg file list),
 * kept with the file's bytes so that it can be computed ahead: the cataloger's prepare() fills
 * it while the scan waits for its hash worker, and catalog() then takes the result instead of
 * computing it after the last layer. A file not prepared is computed when first read. Either
 * way the same value and the same warnings come out. Values are shared between reads: callers
 * copy before they change one.
 */
export class PerFile<T> {
  // Keyed by the captured bytes, which are never changed and live as long as the scan's files.
  private readonly computed = new WeakMap<Buffer, Computed<T>>();

  constructor(private readonly compute: (data: Buffer, path: string, warnings: string[]) => T) {}

  prepare(path: string, data: Buffer): void {
    this.computedFor(path, data);
  }

  /** The value for the file, its warnings appended to `warnings`. */
  read(data: Buffer, path: string, warnings: string[]): T {
    const computed = this.computedFor(path, data);
    appendAll(warnings, computed.warnings);
    return computed.value;
  }

  private computedFor(path: string, data: Buffer): Computed<T> {
    let computed = this.computed.get(data);
    if (computed?.path !== path) {
      const warnings: string[] = [];
      computed = { path, value: this.compute(data, path, warnings), warnings };
      this.computed.set(data, computed);
    }
    return computed;
  }
}
