// Retry delays, in seconds, for a job that has failed `count` times before.

/** Sidekiq's default: count⁴ + 15 + rand(10)·(count + 1). */
export function sidekiqDelay(count: number, random: () => number = Math.random): number {
  return count ** 4 + 15 + Math.floor(random() * 10) * (count + 1);
}

/** Mastodon's ActivityPub::DeliveryWorker: count⁴ + 15 + rand(0.5·count⁴). */
export function deliveryDelay(count: number, random: () => number = Math.random): number {
  return count ** 4 + 15 + random() * 0.5 * count ** 4;
}

export const SIDEKIQ_MAX_RETRIES = 25;
