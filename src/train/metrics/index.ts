/**
 * Metrics: streaming accumulators with a direction (`higherIsBetter`), missing labels ignored.
 * Classification (accuracy, topK, macroF1), multi-label (binaryAccuracy, binaryF1,
 * averagePrecision, per label), regression (mse, mae, r2), and meanOf for anything else.
 *
 * @example
 * import { accuracy, macroF1 } from './metrics/index.js';
 * const metrics = { digit: [accuracy(), macroF1()] };
 */
export { presentEntries, meanDefined, type Metric, type PerLabelMetric } from './metric.js';
export { accuracy, topK, macroF1, type ClassificationOptions } from './classification.js';
export { binaryAccuracy, binaryF1, averagePrecision, type MultiLabelOptions } from './multilabel.js';
export { mse, mae, r2, rmse } from './regression.js';
export { meanOf, type MeanOfOptions } from './mean.js';
