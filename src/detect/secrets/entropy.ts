/** Shannon entropy of `text` in bits per character (0 for the empty string). */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  const n = text.length;
  for (const count of counts.values()) {
    const p = count / n;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * True when `secret` is random enough for a rule asking `threshold` bits per character.
 * A string of n characters cannot exceed log2(n) bits, so short secrets are held to 85 % of
 * that ceiling instead: a random 12-character password still passes a 3.5-bit rule.
 */
export function randomEnough(secret: string, threshold: number): boolean {
  if (threshold <= 0) return true;
  const ceiling = Math.log2(Math.max(secret.length, 1)) * 0.85;
  return shannonEntropy(secret) >= Math.min(threshold, ceiling);
}
