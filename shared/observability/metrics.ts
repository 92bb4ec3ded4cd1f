import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * One metrics instance per function, flushed as CloudWatch embedded metric
 * format at the end of each invocation (logMetrics middleware). Namespace and
 * service come from POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME.
 */
export const metrics = new Metrics({ defaultDimensions: {} });
