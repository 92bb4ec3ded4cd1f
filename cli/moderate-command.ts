import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { lambdaContext } from '../local/lambda-context.js';
import type { AuditEntry } from '../shared/moderation/moderator-actions.js';
import { parseModeratorCommand } from '../shared/moderation/moderator-actions.js';
import { runModeratorAction } from '../shared/moderation/run-moderator-action.js';
import { userStanding } from '../shared/moderation/user-standing.js';
import { createModeratorDeps } from '../shared/wiring/moderator-deps.js';

export const MODERATE_USAGE = `  ban|unban|disconnect ROOM_ARN USER_ID --reason TEXT [options]
  timeout ROOM_ARN USER_ID --seconds N --reason TEXT [options]
  delete ROOM_ARN MESSAGE_ID --reason TEXT [options]
      Acts on a room as the moderator API does: the same actions, each once
      (--request-id makes a retry safe; default a new id), recorded in the audit
      log. ban: sanction, disconnect, and an app:moderation-action event; timeout:
      review refuses the user until it ends; unban lifts either.
  strikes ROOM_ARN USER_ID [options]
      The user's strikes and sanction in the room, as JSON.
  audit ROOM_ARN [--user USER_ID] [--since ISO_TIME] [options]
      The room's audit log, oldest first, one JSON object per line.
    options: --table NAME (ENFORCEMENT_TABLE) --idempotency-table NAME (IDEMPOTENCY_TABLE)
             --region REGION --endpoint URL (IVS) --dynamodb-endpoint URL --moderator NAME
`;

export class ModerateUsageError extends Error {}

export interface ModerateIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export async function moderateCommand(
  command: string,
  args: readonly string[],
  io: ModerateIo,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      reason: { type: 'string' },
      seconds: { type: 'string' },
      user: { type: 'string' },
      since: { type: 'string' },
      table: { type: 'string' },
      'idempotency-table': { type: 'string' },
      region: { type: 'string' },
      endpoint: { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
      moderator: { type: 'string' },
      'request-id': { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  const enforcementTable = values.table ?? process.env.ENFORCEMENT_TABLE;
  const idempotencyTable = values['idempotency-table'] ?? process.env.IDEMPOTENCY_TABLE;
  if (enforcementTable === undefined || idempotencyTable === undefined) {
    throw new ModerateUsageError(
      '--table and --idempotency-table (or ENFORCEMENT_TABLE and IDEMPOTENCY_TABLE) are required',
    );
  }
  const { deps, store, once } = createModeratorDeps({
    region: values.region ?? process.env.AWS_REGION ?? 'us-east-1',
    enforcementTable,
    idempotencyTable,
    ivsChatEndpoint: values.endpoint,
    dynamoDbEndpoint: values['dynamodb-endpoint'],
  });
  // Powertools idempotency bounds an in-progress key by the invocation's deadline: the command's is five minutes.
  once.registerLambdaContext(lambdaContext('ivs-mod', 5 * 60_000));
  const [roomArn, subject, ...extra] = positionals;
  if (roomArn === undefined || extra.length > 0) throw new ModerateUsageError(`${command}: see the usage`);

  if (command === 'audit') {
    const sinceMillis = values.since === undefined ? undefined : Date.parse(values.since);
    if (sinceMillis !== undefined && Number.isNaN(sinceMillis))
      throw new ModerateUsageError('--since: an ISO 8601 time');
    const entries = await deps.audit.list(roomArn, {
      ...(sinceMillis === undefined ? {} : { sinceMillis }),
      ...(values.user === undefined ? {} : { userId: values.user }),
    });
    for (const entry of entries) io.stdout.write(`${JSON.stringify(readable(entry))}\n`);
    return 0;
  }
  if (subject === undefined)
    throw new ModerateUsageError(`${command}: needs ${command === 'delete' ? 'MESSAGE_ID' : 'USER_ID'}`);
  if (command === 'strikes') {
    io.stdout.write(`${JSON.stringify(await userStanding(store, roomArn, subject))}\n`);
    return 0;
  }
  const seconds = values.seconds === undefined ? undefined : Number(values.seconds);
  const parsed = parseModeratorCommand(command, {
    roomArn,
    ...(command === 'delete' ? { messageId: subject } : { userId: subject }),
    ...(values.reason === undefined ? {} : { reason: values.reason }),
    ...(seconds === undefined ? {} : { seconds }),
  });
  if (!parsed.ok) throw new ModerateUsageError(parsed.problems.join('; '));
  const outcome = await runModeratorAction(
    {
      command: parsed.command,
      moderator: {
        id: `cli:${os.userInfo().username}@${os.hostname()}`,
        ...(values.moderator === undefined ? {} : { name: values.moderator }),
      },
      requestId: values['request-id'] ?? randomUUID(),
    },
    deps,
  );
  if (!outcome.ok) {
    for (const { key, error } of outcome.failed) io.stderr.write(`failed: ${key}: ${error}\n`);
    io.stderr.write('nothing was audited; run the same command with the same --request-id to finish it\n');
    return 1;
  }
  io.stdout.write(
    `${JSON.stringify({ ...readable(outcome.audit), duplicate: outcome.auditRecord === 'duplicate' })}\n`,
  );
  return 0;
}

function readable(entry: AuditEntry) {
  const { atMillis, untilMillis, ...rest } = entry;
  return {
    at: new Date(atMillis).toISOString(),
    ...rest,
    ...(untilMillis === undefined ? {} : { until: new Date(untilMillis).toISOString() }),
  };
}
