/**
 * Runs `task` on every item, at most `limit` at a time, starting them in order. Rejects with the
 * first failure as soon as it happens; nothing is stopped (a caller that can cancel its tasks
 * does so on the rejection).
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
