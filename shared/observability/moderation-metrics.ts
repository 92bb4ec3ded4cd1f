import type { ActionResult } from '../enforcement/execute-actions.js';
import type { RoomModeration } from '../enforcement/moderate-batch.js';
import type { EnforcementAction } from '../enforcement/plan-enforcement.js';
import type { MetricLine } from './metric-line.js';
import { DIMENSION, METRIC } from './metric-names.js';

/** A count to publish: the consumers' metrics, as data, so what they count is tested without a metrics backend. */
export interface CountMetric {
  readonly name: string;
  readonly value: number;
}

const ACTION_METRIC: Readonly<Record<EnforcementAction['kind'], string>> = {
  'delete-message': 'Deletions',
  warn: 'Warnings',
  disconnect: 'Disconnects',
  sanction: 'Sanctions',
  'lift-sanction': 'SanctionsLifted',
  notify: 'Notifications',
};

/**
 * What one consumer invocation did: records read and refused, each kind of action planned, and how the
 * executor fared (done, already done, failed). In shadow mode the planned actions count as `Shadow…`: decided
 * and recorded, never sent.
 */
export function moderationMetrics(input: {
  readonly records: number;
  readonly rejectedRecords: number;
  readonly refusedEnvelope: boolean;
  readonly rooms: readonly RoomModeration[];
}): CountMetric[] {
  const counts = new Map<string, number>();
  const add = (name: string, value = 1) => counts.set(name, (counts.get(name) ?? 0) + value);
  add(METRIC.chatLogRecords, input.records);
  add('ChatLogRecordsRejected', input.rejectedRecords);
  add('EnvelopesRefused', input.refusedEnvelope ? 1 : 0);
  for (const room of input.rooms) {
    // Contention between invocations over one room, and what it cost: sparse, written only when they happen.
    if (room.replans > 0) add(METRIC.replans, room.replans);
    if (room.abandoned.length > 0) add(METRIC.actionsAbandoned, room.abandoned.length);
    if (room.uncleared > 0) add('ActionsLeftPending', room.uncleared);
    for (const action of room.plan.actions)
      add(`${room.shadow ? 'Shadow' : ''}${ACTION_METRIC[action.kind]}`);
    for (const result of room.results) {
      if (result.status === 'duplicate') {
        add('ActionsAlreadyDone');
        continue;
      }
      add(result.status === 'done' ? 'ActionsDone' : METRIC.actionsFailed);
      // Throttling (429) and server errors that backoff absorbed; the throttling alone apart.
      add('ActionRetries', result.attempts - 1);
      add(METRIC.actionThrottles, result.throttles);
    }
  }
  return [...counts].map(([name, value]) => ({ name, value }));
}

/** What became of an action: its result, or `shadow` when it was decided and not sent. */
export interface ActionOutcome {
  readonly kind: EnforcementAction['kind'];
  readonly outcome: ActionResult['status'] | 'shadow';
}

function resultOutcomes(results: readonly ActionResult[]): ActionOutcome[] {
  return results.map((result) => ({ kind: result.action.kind, outcome: result.status }));
}

/** The consumers' rooms: a shadow room's planned actions, or what the executor did with a room's actions. */
export function roomOutcomes(rooms: readonly RoomModeration[]): ActionOutcome[] {
  return rooms.flatMap((room) =>
    room.shadow
      ? room.plan.actions.map((action): ActionOutcome => ({ kind: action.kind, outcome: 'shadow' }))
      : resultOutcomes(room.results),
  );
}

/** `ActionsByType`: one line per kind and outcome that occurred (a dimension takes one value per line). */
export function actionMetricLines(outcomes: readonly ActionOutcome[]): MetricLine[] {
  const counts = new Map<string, { readonly outcome: ActionOutcome; value: number }>();
  for (const outcome of outcomes) {
    const key = `${outcome.kind} ${outcome.outcome}`;
    const count = counts.get(key);
    if (count === undefined) counts.set(key, { outcome, value: 1 });
    else count.value++;
  }
  return [...counts.values()].map(({ outcome, value }) => ({
    dimensionSets: [{ [DIMENSION.action]: outcome.kind, [DIMENSION.outcome]: outcome.outcome }],
    metrics: [{ name: METRIC.actions, unit: 'Count', value }],
  }));
}

/** The moderator API's: its actions by kind and outcome, and the 429s backoff absorbed, if any. */
export function moderatorActionMetricLines(results: readonly ActionResult[]): MetricLine[] {
  const lines = actionMetricLines(resultOutcomes(results));
  const throttles = results.reduce(
    (total, result) => total + ('throttles' in result ? result.throttles : 0),
    0,
  );
  if (throttles > 0)
    lines.push({
      dimensionSets: [{}],
      metrics: [{ name: METRIC.actionThrottles, unit: 'Count', value: throttles }],
    });
  return lines;
}
