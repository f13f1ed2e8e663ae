// The charts' public surface, for report builders that want one import.

export { lineChart, DEFAULT_MAX_POINTS, type LineChartOptions } from './line.js';
export { scatterChart, type Highlight, type ScatterChartOptions, type ScatterSeries } from './scatter.js';
export { barChart, type Bar, type BarChartOptions } from './bars.js';
export { OKABE_ITO, SERIES_COLORS, seriesColor } from './palette.js';
export * from './scale.js';
export * from './types.js';
