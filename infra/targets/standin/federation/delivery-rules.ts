// Mastodon's delivery rules (ActivityPub::DeliveryWorker, DeliveryFailureTracker
// and the Stoplight circuit per inbox), as pure decisions.

/** Counted as done, never retried: 2xx, 501, and 4xx except 401, 408 and 429. */
export function deliveryOutcome(status: number): 'delivered' | 'unsalvageable' | 'retry' {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 501) return 'unsalvageable';
  if (status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429) return 'unsalvageable';
  return 'retry';
}

/** Days with a failed delivery after which a host is an UnavailableDomain. */
export const FAILURE_DAYS_THRESHOLD = 7;
/** ActivityPub::DeliveryWorker's `retry: 16`. */
export const DELIVERY_MAX_RETRIES = 16;
/** Stoplight(inbox_url).with_threshold(10).with_cool_off_time(60). */
export const CIRCUIT_THRESHOLD = 10;
export const CIRCUIT_COOL_OFF_MS = 60_000;

export const failureDaysKey = (host: string) => `exhausted_deliveries:${host}`;

/** The UTC day as DeliveryFailureTracker stores it: YYYYMMDD. */
export function failureDay(at: Date): string {
  return at.toISOString().slice(0, 10).replace(/-/g, '');
}

/**
 * Stoplight's colours: green below the threshold; red at or above it until the
 * cool-off since the last failure has passed, then yellow (one trial goes
 * through; its failure makes it red again, its success resets the count).
 */
export function circuitColour(failures: number, lastFailureAtMs: number, nowMs: number): 'green' | 'yellow' | 'red' {
  if (failures < CIRCUIT_THRESHOLD) return 'green';
  return nowMs - lastFailureAtMs >= CIRCUIT_COOL_OFF_MS ? 'yellow' : 'red';
}
