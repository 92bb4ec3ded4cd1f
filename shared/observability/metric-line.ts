import type { MetricName } from './metric-names.js';

export interface MetricValue {
  readonly name: MetricName;
  readonly unit: 'Count' | 'Milliseconds';
  readonly value: number;
}

/**
 * One EMF line, as data. EMF applies every dimension set of a line to every metric in it, and a dimension
 * has one value per line: metrics that differ in their dimensions go on separate lines. `service` is part of
 * each set; an empty set is `service` alone.
 */
export interface MetricLine {
  readonly dimensionSets: readonly Readonly<Record<string, string>>[];
  readonly metrics: readonly MetricValue[];
}
