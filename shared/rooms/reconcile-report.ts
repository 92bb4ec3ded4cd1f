import { METRIC } from '../observability/metric-names.js';
import type { CountMetric } from '../observability/moderation-metrics.js';
import type { ReconcileReport } from './reconcile-fleet.js';

/** Drift and changes as counts: what the dashboard and alarms read (CloudWatch EMF through the handler). */
export function reconcileMetrics(report: ReconcileReport): CountMetric[] {
  return [
    { name: 'RoomsSelected', value: report.rooms.selected },
    { name: METRIC.roomsDrifted, value: report.rooms.drifted },
    { name: 'RoomsDeferred', value: report.rooms.deferred },
    { name: 'ChangesPlanned', value: report.changes.length },
    { name: 'ChangesApplied', value: report.applied },
    { name: METRIC.changesFailed, value: report.failed.length },
    { name: 'RoomProblems', value: report.problems.length + report.loggingProblems.length },
    { name: 'OverBudget', value: report.overBudget ? 1 : 0 },
    { name: METRIC.reconcileThrottled, value: report.throttled },
  ];
}

/** The report for a log line: counts, calls and what went wrong; no plan dump (it can be thousands of lines). */
export function summarizeReport(report: ReconcileReport) {
  const changesByKind: Record<string, number> = {};
  for (const change of report.changes) changesByKind[change.kind] = (changesByKind[change.kind] ?? 0) + 1;
  return {
    rooms: report.rooms,
    changesByKind,
    applied: report.applied,
    failed: report.failed
      .slice(0, 20)
      .map(({ change, error }) => ({ kind: change.kind, error, ...target(change) })),
    problems: report.problems.slice(0, 20),
    loggingProblems: report.loggingProblems,
    overBudget: report.overBudget,
    stoppedEarly: report.stoppedEarly,
    calls: report.calls,
    throttled: report.throttled,
  };
}

function target(change: ReconcileReport['changes'][number]): {
  roomArn?: string;
  arn?: string;
  name?: string;
} {
  if ('roomArn' in change) return { roomArn: change.roomArn };
  if ('arn' in change) return { arn: change.arn, name: change.name };
  return { name: change.name };
}
