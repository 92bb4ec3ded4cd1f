import { Metrics } from '@aws-lambda-powertools/metrics';
import { logger } from './logger.js';
import type { MetricLine } from './metric-line.js';

/**
 * Its own instance, apart from `metrics` (whose buffer logMetrics flushes at the end of an invocation): each
 * line is written at once, with only its own dimension sets. Powertools' warnings go through the logger.
 */
const lineMetrics = new Metrics({ logger });

/**
 * Writes each line as one EMF log line. Never throws: metrics must not fail or delay the work they measure
 * (a review answer above all), so a failure, building the lines included, is logged and dropped, and
 * anything it left stored is cleared so that it cannot leak into the next line.
 */
export function publishMetricLines(build: () => readonly MetricLine[]): void {
  try {
    for (const line of build()) {
      for (const dimensions of line.dimensionSets) lineMetrics.addDimensions(dimensions);
      for (const { name, unit, value } of line.metrics) lineMetrics.addMetric(name, unit, value);
      lineMetrics.publishStoredMetrics();
    }
  } catch (error) {
    lineMetrics.clearMetrics();
    lineMetrics.clearDimensions();
    try {
      logger.error('metrics not published', { error });
    } catch {
      // The logger writes where the metrics do: if that failed too, there is nowhere left to say so.
    }
  }
}
