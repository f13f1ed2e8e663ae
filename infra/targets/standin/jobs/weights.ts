// Sidekiq's weighted queue order (config/sidekiq.yml): each queue appears
// `weight` times, the list is shuffled and de-duplicated before every fetch, so
// `default` (8 of 23) is tried first most often but never starves the others.
// `fasp` (4.4+) is listed without a weight, so it counts 1 like pull and scheduler.

export const MASTODON_QUEUES: Readonly<Record<string, number>> = {
  default: 8,
  push: 6,
  ingress: 4,
  mailers: 2,
  pull: 1,
  scheduler: 1,
  fasp: 1,
};

export function weightedOrder(weights: Readonly<Record<string, number>>, random: () => number = Math.random): string[] {
  const expanded: string[] = [];
  for (const [q, w] of Object.entries(weights)) for (let i = 0; i < w; i++) expanded.push(q);
  for (let i = expanded.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [expanded[i], expanded[j]] = [expanded[j]!, expanded[i]!];
  }
  return [...new Set(expanded)];
}
