import { describe, expect, it } from 'vitest';
import type { ReconcileReport } from '../../../shared/rooms/reconcile-fleet.js';
import { reconcileMetrics, summarizeReport } from '../../../shared/rooms/reconcile-report.js';

const calls = {
  ListRooms: 2,
  GetRoom: 3,
  UpdateRoom: 4,
  TagResource: 1,
  UntagResource: 0,
  ListLoggingConfigurations: 1,
  CreateLoggingConfiguration: 1,
  UpdateLoggingConfiguration: 0,
  DeleteLoggingConfiguration: 0,
};
const room = 'arn:aws:ivschat:us-east-1:123456789012:room/abcdefghijkl';
const report: ReconcileReport = {
  rooms: { listed: 60, selected: 50, inSync: 46, drifted: 4, deferred: 1 },
  changes: [
    { kind: 'update-room', roomArn: room, roomName: 'a', update: { maximumMessageLength: 200 }, fields: [] },
    { kind: 'tag-room', roomArn: room, roomName: 'a', tags: { moderated: 'yes' } },
    {
      kind: 'create-logging-configuration',
      name: 'logs',
      destination: { s3: { bucketName: 'b' } },
      tags: {},
    },
  ],
  problems: [{ roomArn: room, message: 'more than 3 logging configurations' }],
  loggingProblems: ['two configurations named logs'],
  applied: 2,
  failed: [
    {
      change: { kind: 'tag-room', roomArn: room, roomName: 'a', tags: { moderated: 'yes' } },
      error: 'ResourceNotFoundException: gone',
    },
  ],
  overBudget: false,
  stoppedEarly: true,
  calls,
  throttled: 3,
  throttledBy: {
    ...calls,
    ListRooms: 0,
    GetRoom: 0,
    UpdateRoom: 3,
    TagResource: 0,
    ListLoggingConfigurations: 0,
    CreateLoggingConfiguration: 0,
  },
};

describe('what a reconciliation run reports', () => {
  it('publishes drift, changes, failures, problems and throttling as counts', () => {
    expect(Object.fromEntries(reconcileMetrics(report).map(({ name, value }) => [name, value]))).toEqual({
      RoomsSelected: 50,
      RoomsDrifted: 4,
      RoomsDeferred: 1,
      ChangesPlanned: 3,
      ChangesApplied: 2,
      ChangesFailed: 1,
      RoomProblems: 2,
      OverBudget: 0,
      Throttled: 3,
    });
  });

  it('logs counts, calls and what failed, with the room it failed on, not the whole plan', () => {
    expect(summarizeReport(report)).toEqual({
      rooms: report.rooms,
      changesByKind: { 'update-room': 1, 'tag-room': 1, 'create-logging-configuration': 1 },
      applied: 2,
      failed: [{ kind: 'tag-room', error: 'ResourceNotFoundException: gone', roomArn: room }],
      problems: report.problems,
      loggingProblems: report.loggingProblems,
      overBudget: false,
      stoppedEarly: true,
      calls,
      throttled: 3,
    });
  });
});
