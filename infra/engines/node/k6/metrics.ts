// k6/metrics: Counter, Gauge, Rate, Trend (k6 internal/js/modules/k6/metrics).

import type { MetricType } from '../stats/sinks.js';
import { InitContextError, type VU } from '../runtime/vu.js';
import { applyUserTags } from './util.js';

function limitValue(v: string): string {
  const runes = [...v];
  if (runes.length < 100) return v;
  return `${runes.slice(0, 50).join('')}... omitting ${runes.length - 100} characters ...${runes.slice(-50).join('')}`;
}

export function createMetricsModule(vu: VU): object {
  const make = (type: MetricType) =>
    function K6Metric(this: unknown, name: unknown, isTime?: unknown) {
      if (!vu.inInit) throw new Error('metrics must be declared in the init context');
      const metric = vu.shared.engine.newMetric(String(name), type, isTime === true ? 'time' : 'default');
      const obj = {
        add(value?: unknown, tags?: unknown): boolean {
          if (vu.inInit) throw new InitContextError('Adding to metrics in the init context is not supported');
          const raise = (msg: string) => {
            if (vu.shared.options.throw) throw new Error(msg);
            vu.logger.warn(msg);
            return false;
          };
          const nan = () =>
            raise(
              `'${limitValue(String(value))}' is an invalid value for metric '${metric.name}', a number or a boolean value is expected`,
            );
          if (arguments.length === 0 || value === undefined) {
            return raise(`no value was provided for metric '${metric.name}', a number or a boolean value is expected`);
          }
          if (value === null) return nan();
          let v = typeof value === 'boolean' ? (value ? 1 : 0) : Number(value);
          if (v === 0 && Boolean(value) && typeof value !== 'number') v = 1;
          if (Number.isNaN(v)) return nan();
          let t;
          try {
            t = applyUserTags(vu.currentTags(), tags);
          } catch (e) {
            throw new Error(`cannot add tags for the '${metric.name}' custom metric: ${(e as Error).message}`);
          }
          vu.emit(metric, v, t);
          return true;
        },
      };
      Object.defineProperty(obj, 'name', { value: metric.name, enumerable: true, writable: false });
      return obj;
    };
  return {
    Counter: make('counter'),
    Gauge: make('gauge'),
    Rate: make('rate'),
    Trend: make('trend'),
  };
}
