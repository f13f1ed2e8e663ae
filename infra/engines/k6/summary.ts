import type { SummaryData } from '../../../reports/collect/run-data.js';

// k6's --summary-export file back into handleSummary's data shape, which the
// report reads (`metrics[name].values`). The export flattens each metric's
// values, inverts thresholds into {expr: failed} and renames a rate's `rate`
// to `value`; types are not kept, so they are recognised by their values.

type Flat = Record<string, number | Record<string, boolean>>;

function typeOf(values: Record<string, number>): 'rate' | 'counter' | 'gauge' | 'trend' {
  if ('passes' in values && 'fails' in values) return 'rate';
  if ('count' in values && 'rate' in values) return 'counter';
  if ('value' in values) return 'gauge';
  return 'trend';
}

export class SummaryExportError extends Error {}

export function summaryDataFromExport(raw: unknown, file = 'summary export'): SummaryData {
  const metrics = (raw as { metrics?: unknown })?.metrics;
  if (!metrics || typeof metrics !== 'object') throw new SummaryExportError(`${file}: no "metrics" object; is it k6's --summary-export output?`);
  const out: SummaryData['metrics'] = {};
  for (const [name, flat] of Object.entries(metrics as Record<string, Flat>)) {
    const values: Record<string, number> = {};
    for (const [k, v] of Object.entries(flat)) if (typeof v === 'number') values[k] = v;
    const type = typeOf(values);
    if (type === 'rate') {
      values.rate = values.value!;
      delete values.value;
    }
    out[name] = { type, values };
  }
  return { metrics: out, ...('setup_data' in (raw as object) ? { setup_data: (raw as { setup_data: unknown }).setup_data } : {}) };
}
