import path from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_ROOMS_MANIFEST } from '../build/review-policy-plugin.js';
import { Pacer, SYSTEM_CLOCK } from '../shared/enforcement/pacer.js';
import { createIvsChatFleet } from '../shared/ivs/ivs-chat-client.js';
import { formatPlan } from '../shared/rooms/format-plan.js';
import { loadRoomManifest } from '../shared/rooms/load-room-manifest.js';
import type { FleetOperation, ReconcileReport } from '../shared/rooms/reconcile-fleet.js';
import { FLEET_QUOTAS, reconcileFleet } from '../shared/rooms/reconcile-fleet.js';
import { memoryRoomStateStore } from '../shared/rooms/room-state.js';
import { OWNER_TAG_KEY, POLICY_TAG_KEY } from '../shared/rooms/validate-room-manifest.js';
import { createDynamoDbRoomStateStore } from '../shared/store/dynamodb-room-state-store.js';

export const RECONCILE_USAGE = `  reconcile [--apply] [--force] [--manifest FILE] [--endpoint URL] [--region REGION]
            [--review-function-arn ARN] [--log-group NAME] [--delivery-stream NAME] [--owner VALUE]
            [--table NAME] [--dynamodb-endpoint URL]
      Reads every room and logging configuration, compares them with the rooms
      manifest (default ${DEFAULT_ROOMS_MANIFEST}) and prints the plan; a dry run
      unless --apply. Calls are paced under IVS's quotas. --table names the stage's
      enforcement table, where published policies and known room limits live
      (required with --apply; without it a dry run reads every room's limits).
      --force applies a plan larger than the manifest's changeBudget.
      Exit code 0: in sync or applied; 1: changes pending (dry run), failures or over budget.
`;

export interface ReconcileIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export class ReconcileUsageError extends Error {}

export async function reconcileCommand(
  args: readonly string[],
  io: ReconcileIo,
  root: string,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      apply: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      manifest: { type: 'string' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      'review-function-arn': { type: 'string' },
      'log-group': { type: 'string' },
      'delivery-stream': { type: 'string' },
      owner: { type: 'string', default: 'ivs-chat-moderation-dev' },
      table: { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (positionals.length > 0) throw new ReconcileUsageError('reconcile takes no positional arguments');
  if (values.apply && values.table === undefined) {
    throw new ReconcileUsageError('--apply needs --table: published policies and known limits live there');
  }
  const manifest = loadRoomManifest(path.resolve(values.manifest ?? path.join(root, DEFAULT_ROOMS_MANIFEST)));
  const region = values.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const reviewFunctionArn = values['review-function-arn'] ?? process.env.REVIEW_FUNCTION_ARN ?? '';
  const store =
    values.table === undefined
      ? memoryRoomStateStore()
      : createDynamoDbRoomStateStore({
          client: DynamoDBDocumentClient.from(
            new DynamoDBClient({
              region,
              ...(values['dynamodb-endpoint'] === undefined ? {} : { endpoint: values['dynamodb-endpoint'] }),
            }),
          ),
          tableName: values.table,
        });
  const report = await reconcileFleet(
    {
      manifest,
      stage: {
        reviewFunctionArn,
        ...(values['log-group'] === undefined ? {} : { logGroupName: values['log-group'] }),
        ...(values['delivery-stream'] === undefined ? {} : { deliveryStreamName: values['delivery-stream'] }),
        ownerTag: { key: OWNER_TAG_KEY, value: values.owner },
        policyTagKey: POLICY_TAG_KEY,
      },
      apply: values.apply,
      force: values.force,
    },
    {
      ports: createIvsChatFleet({ region, endpoint: values.endpoint }),
      store,
      pacer: new Pacer<FleetOperation>(FLEET_QUOTAS, SYSTEM_CLOCK),
      clock: SYSTEM_CLOCK,
      random: Math.random,
    },
  );
  io.stdout.write(`${formatPlan({ changes: report.changes, problems: report.problems })}\n`);
  io.stdout.write(`${describeRun(report, values.apply)}\n`);
  for (const problem of report.loggingProblems) io.stderr.write(`logging configurations: ${problem}\n`);
  for (const { change, error } of report.failed) io.stderr.write(`failed: ${change.kind}: ${error}\n`);
  if (report.overBudget) {
    io.stderr.write(
      `the plan has ${report.changes.length} changes, over the manifest's changeBudget of ${manifest.changeBudget}: nothing applied (--force applies it)\n`,
    );
  }
  const pending = !values.apply && report.changes.length > 0;
  return report.failed.length > 0 || report.overBudget || pending ? 1 : 0;
}

function describeRun(report: ReconcileReport, apply: boolean): string {
  const { listed, selected, inSync, drifted, deferred } = report.rooms;
  const calls = Object.entries(report.calls)
    .filter(([, count]) => count > 0)
    .map(([operation, count]) => `${operation} ${count}`)
    .join(', ');
  return [
    `Rooms: ${listed} listed, ${selected} selected, ${inSync} in sync, ${drifted} drifted` +
      (deferred > 0 ? `, ${deferred} left for the next run` : '') +
      '.',
    apply
      ? `Applied ${report.applied} of ${report.changes.length} changes, ${report.failed.length} failed.`
      : 'Dry run: nothing changed (--apply applies the plan).',
    `Calls: ${calls || 'none'}${report.throttled > 0 ? ` (${report.throttled} throttled and retried)` : ''}.`,
  ].join('\n');
}
