import { countChanges, describeDestination, orderChanges } from './plan-reconciliation.js';
import type { Change, FieldChange, RoomProblem } from './room-manifest.js';

export interface PlanToFormat {
  readonly changes: readonly Change[];
  /** Logging configuration problems are strings; room problems name their room. */
  readonly problems: readonly (string | RoomProblem)[];
}

const NO_CHANGES = 'No changes: the fleet matches the manifest.';
const ARROW = ' → ';

/** Summary wording per kind, in the order the summary lists them. */
const KIND_LABELS: readonly (readonly [Change['kind'], string, string])[] = [
  ['create-logging-configuration', 'logging configuration to create', 'logging configurations to create'],
  ['update-logging-configuration', 'logging configuration to update', 'logging configurations to update'],
  ['delete-logging-configuration', 'logging configuration to delete', 'logging configurations to delete'],
  ['update-room', 'room update', 'room updates'],
  ['tag-room', 'room to tag', 'rooms to tag'],
  ['untag-room', 'room to untag', 'rooms to untag'],
  ['assign-policy', 'policy assignment', 'policy assignments'],
];

/**
 * The plan as a person reads it before applying, in the manner of terraform:
 * `+` creates, `~` changes, `-` deletes, each with its fields aligned as
 * `field: current → desired`; then the problems (`!`) and a summary line.
 */
export function formatPlan({ changes, problems }: PlanToFormat): string {
  if (changes.length === 0 && problems.length === 0) return NO_CHANGES;
  const lines: string[] = [];
  const ordered = orderChanges(changes);
  const byRoom = new Map<string, Change[]>();
  for (const change of ordered) {
    if (!('roomArn' in change)) continue;
    const list = byRoom.get(change.roomArn);
    if (list === undefined) byRoom.set(change.roomArn, [change]);
    else list.push(change);
  }
  const seenRooms = new Set<string>();
  for (const change of ordered) {
    switch (change.kind) {
      case 'create-logging-configuration':
        lines.push(
          `+ logging configuration ${change.name}${ARROW}${describeDestination(change.destination)}`,
        );
        break;
      case 'update-logging-configuration':
        lines.push(`~ logging configuration ${change.name} (${change.arn})`, ...fieldLines(change.fields));
        break;
      case 'delete-logging-configuration':
        lines.push(`- logging configuration ${change.name} (${change.arn})`);
        break;
      default: {
        // Rooms' changes are adjacent once ordered: one block per room, every field of its changes aligned.
        if (seenRooms.has(change.roomArn)) break;
        seenRooms.add(change.roomArn);
        const roomChanges = ordered.filter((other) => 'roomArn' in other && other.roomArn === change.roomArn);
        lines.push(
          `~ room ${change.roomName} (${change.roomArn})`,
          ...fieldLines(roomChanges.flatMap(roomFields)),
        );
      }
    }
  }
  for (const problem of problems) {
    lines.push(
      typeof problem === 'string' ? `! ${problem}` : `! room ${problem.roomArn}: ${problem.message}`,
    );
  }
  if (lines.length > 0) lines.push('');
  lines.push(summary(changes, problems.length));
  return lines.join('\n');
}

/** A room change's fields, or ones built from what it carries when it was made without them. */
function roomFields(change: Change): readonly FieldChange[] {
  switch (change.kind) {
    case 'update-room':
      return change.fields;
    case 'tag-room':
      return (
        change.fields ??
        Object.entries(change.tags).map(([key, value]) => ({
          field: `tag ${key}`,
          current: '?',
          desired: value,
        }))
      );
    case 'untag-room':
      return (
        change.fields ??
        change.tagKeys.map((key) => ({ field: `tag ${key}`, current: '?', desired: '(unset)' }))
      );
    case 'assign-policy':
      return change.fields ?? [{ field: 'policy', current: '?', desired: change.policy ?? '(default)' }];
    default:
      return [];
  }
}

function fieldLines(fields: readonly FieldChange[]): string[] {
  const width = Math.max(0, ...fields.map((field) => field.field.length + 1));
  return fields.map(
    ({ field, current, desired }) => `    ${`${field}:`.padEnd(width)} ${current}${ARROW}${desired}`,
  );
}

function summary(changes: readonly Change[], problemCount: number): string {
  const counts = countChanges(changes);
  const parts = KIND_LABELS.flatMap(([kind, one, many]) => {
    const count = counts[kind] ?? 0;
    return count === 0 ? [] : [`${count} ${count === 1 ? one : many}`];
  });
  const problemText =
    problemCount === 0 ? '' : `, ${problemCount} ${problemCount === 1 ? 'problem' : 'problems'}`;
  if (counts.total === 0) return `No changes${problemText}.`;
  const total = `${counts.total} ${counts.total === 1 ? 'change' : 'changes'}`;
  return `Plan: ${total} (${parts.join(', ')})${problemText}.`;
}
