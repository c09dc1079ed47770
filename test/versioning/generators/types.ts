import type { Random } from '../random.js';

/** How tests make versions of one scheme: fresh ones, and small changes of a given one. */
export interface VersionGenerator {
  generate(r: Random): string;
  mutate(r: Random, v: string): string;
}
