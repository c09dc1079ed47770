/**
 * A seeded generator (mulberry32): every run produces the same versions, so an oracle
 * mismatch found once is found again and can be debugged.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** A number as text, mixing small values, leading zeros and values beyond 2^53. */
  number(): string {
    const roll = this.next();
    if (roll < 0.6) return String(this.int(0, 12));
    if (roll < 0.75) return `0${this.int(0, 9)}`;
    if (roll < 0.9) return String(this.int(10, 2025));
    if (roll < 0.95) return String(this.int(20000101, 20251231));
    return `${this.int(1, 9)}${String(this.int(0, 999999999)).padStart(9, '0')}${String(this.int(0, 999999999)).padStart(9, '0')}`;
  }
}

/**
 * Pairs of versions: a third independent, the rest a version and a small change of it,
 * because independent versions mostly differ in their first character and test little.
 */
export function generatePairs(
  seed: number,
  count: number,
  generate: (r: Random) => string,
  mutate: (r: Random, v: string) => string,
): [string, string][] {
  const r = new Random(seed);
  const pairs: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    const a = generate(r);
    if (i % 3 === 0) {
      pairs.push([a, generate(r)]);
      continue;
    }
    let b = mutate(r, a);
    if (r.chance(0.4)) b = mutate(r, b);
    pairs.push(r.chance(0.5) ? [a, b] : [b, a]);
  }
  return pairs;
}

const DIGIT_RUN = /[0-9]+/g;

/** Changes one run of digits: +1, -1, a leading zero, or a long number. */
export function tweakNumber(r: Random, v: string): string {
  const runs = [...v.matchAll(DIGIT_RUN)];
  if (runs.length === 0) return v;
  const run = r.pick(runs);
  const start = run.index ?? 0;
  const digits = run[0];
  const value = Number(digits);
  const roll = r.next();
  let replacement: string;
  if (roll < 0.35 || !Number.isSafeInteger(value)) replacement = `${digits}1`;
  else if (roll < 0.6) replacement = String(value + 1);
  else if (roll < 0.75) replacement = String(Math.max(0, value - 1));
  else if (roll < 0.9) replacement = `0${digits}`;
  else replacement = r.number();
  return v.slice(0, start) + replacement + v.slice(start + digits.length);
}
