// Waiting without blocking the VU's event loop. k6's sleep() blocks the whole
// VU (and a Node runner cannot serve it at all), so async flows wait on the
// global setTimeout that k6 provides since v0.54.

export function sleepAsync(seconds: number): Promise<void> {
  return new Promise<void>((resolve) => {
    setTimeout(resolve, Math.max(0, seconds * 1000));
  });
}

/** Runs fn over items with at most `limit` in flight; results in input order. */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  const workers: Promise<void>[] = [];
  for (let w = 0; w < Math.max(1, Math.min(limit, items.length)); w++) workers.push(worker());
  await Promise.all(workers);
  return results;
}
