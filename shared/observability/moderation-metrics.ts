import type { RoomModeration } from '../enforcement/moderate-batch.js';
import type { EnforcementAction } from '../enforcement/plan-enforcement.js';

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
  add('ChatLogRecords', input.records);
  add('ChatLogRecordsRejected', input.rejectedRecords);
  add('EnvelopesRefused', input.refusedEnvelope ? 1 : 0);
  for (const room of input.rooms) {
    for (const action of room.plan.actions)
      add(`${room.shadow ? 'Shadow' : ''}${ACTION_METRIC[action.kind]}`);
    for (const result of room.results) {
      if (result.status === 'duplicate') {
        add('ActionsAlreadyDone');
        continue;
      }
      add(result.status === 'done' ? 'ActionsDone' : 'ActionsFailed');
      // Throttling (429) and server errors that backoff absorbed.
      add('ActionRetries', result.attempts - 1);
    }
  }
  return [...counts].map(([name, value]) => ({ name, value }));
}
