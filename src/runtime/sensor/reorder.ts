/**
 * Puts records back in time order. A kernel backend writes one buffer per CPU and the reader
 * drains them one after the other, so a thread that migrated between CPUs can have its later
 * call read before its earlier one (a child's exec before its parent's fork). Records are held
 * for a short window and released oldest first once nothing older can still arrive.
 *
 * Input is nearly sorted, so records are kept in an array sorted by insertion from the end:
 * amortized O(1) per record.
 */
export class ReorderBuffer<T extends { readonly ts: number }> {
  private items: T[] = [];
  private head = 0;

  constructor(
    /** How long (ns, on the records' clock) a record is held back. */
    private readonly windowNs: number,
    /** Beyond this many held records the oldest are released regardless of the window. */
    private readonly maxHeld = 65_536,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T, release: (item: T) => void): void {
    const items = this.items;
    let i = items.length;
    items.push(item);
    while (i > this.head && (items[i - 1] as T).ts > item.ts) {
      items[i] = items[i - 1] as T;
      i--;
    }
    items[i] = item;
    if (this.size > this.maxHeld) {
      this.releaseOne(release);
      this.compact();
    }
  }

  /** Releases every record older than `now - window` (`now` on the records' clock). */
  releaseUntil(now: number, release: (item: T) => void): void {
    const limit = now - this.windowNs;
    while (this.head < this.items.length && (this.items[this.head] as T).ts <= limit)
      this.releaseOne(release);
    this.compact();
  }

  /** Releases everything (end of stream). */
  drain(release: (item: T) => void): void {
    while (this.head < this.items.length) this.releaseOne(release);
    this.compact();
  }

  private releaseOne(release: (item: T) => void): void {
    const item = this.items[this.head] as T;
    this.head++;
    release(item);
  }

  private compact(): void {
    if (this.head === 0) return;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
