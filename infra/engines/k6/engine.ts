// Which engine runs a scenario: the project's Node runner, or real k6 — the
// binary on PATH, or the grafana/k6 image where only Docker is there. Pure.

/** A current k6 release; scenarios are written for v1.x and v2.x. */
export const K6_IMAGE = 'grafana/k6:2.2.0';

/** The trend stats k6 remote-writes: every percentile the report shows, plus max and count. */
export const REPORT_TREND_STATS = ['p(50)', 'p(90)', 'p(95)', 'p(99)', 'max', 'avg', 'count'];

export type EngineFlag = 'node' | 'k6' | 'auto';

export type EngineChoice =
  | { engine: 'node' }
  | { engine: 'k6'; via: 'binary'; path: string }
  | { engine: 'k6'; via: 'docker'; image: string };

export class EngineError extends Error {}

/**
 * auto: k6 when it is on PATH, otherwise the Node runner (never a container
 * pull nobody asked for). k6: the binary, else the container where Docker
 * answers, else a one-line error.
 */
export function chooseEngine(flag: EngineFlag | undefined, facts: { k6Path: string | undefined; docker: boolean; image?: string }): EngineChoice {
  const wanted = flag ?? 'auto';
  if (wanted === 'node') return { engine: 'node' };
  if (facts.k6Path) return { engine: 'k6', via: 'binary', path: facts.k6Path };
  if (wanted === 'auto') return { engine: 'node' };
  if (facts.docker) return { engine: 'k6', via: 'docker', image: facts.image ?? K6_IMAGE };
  throw new EngineError('--engine k6: no k6 on PATH and no Docker engine for the grafana/k6 image; install k6 (grafana.com/docs/k6/latest/set-up/install-k6) or use --engine node');
}
