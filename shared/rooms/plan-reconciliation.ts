import type {
  Change,
  DesiredRoom,
  FieldChange,
  LoggingDestination,
  LoggingDestinationSpec,
  ObservedLoggingConfiguration,
  ObservedRoom,
  RoomManifest,
  RoomProblem,
  StageTargets,
  Tags,
} from './room-manifest.js';
import { DEFAULT_POLICY_NAME } from './validate-room-manifest.js';

/** IVS's limits the planner must respect. */
const MAX_LOGGING_CONFIGURATIONS_PER_ROOM = 3;
const MAX_TAGS_PER_ROOM = 50;
/** FieldChange's printable absence. */
export const UNSET = '(unset)';
/** How a logging configuration created in the same run shows in a room's list before it has an ARN. */
export const PENDING_PREFIX = '(new) ';

export interface LoggingPlan {
  readonly changes: readonly Change[];
  /** Names of declared configurations to the ARN of ours that exists (created ones: none until applied). */
  readonly arnsByName: ReadonlyMap<string, string>;
  /** ARNs of ours being deleted (or already deleting): rooms detach them. */
  readonly removedArns: ReadonlySet<string>;
  /**
   * Declared names that can be attached to no room in this run: ambiguous (more than one of ours), or none of
   * ours exists and it cannot be created (its stage destination is not configured). Pass it to planRoom.
   */
  readonly unavailableNames: ReadonlySet<string>;
  readonly problems: readonly string[];
}

export interface RoomPlanContext {
  readonly stage: StageTargets;
  readonly loggingConfigurationArns: ReadonlyMap<string, string>;
  readonly removedLoggingConfigurationArns: ReadonlySet<string>;
  /** The policy review reads for the room now; undefined: the default policy. */
  readonly publishedPolicy: string | undefined;
  /**
   * LoggingPlan.unavailableNames. A desired name that is neither here nor in loggingConfigurationArns is taken
   * to be created in this run (pendingLoggingConfigurations).
   */
  readonly unavailableLoggingConfigurations?: ReadonlySet<string>;
}

export interface RoomPlan {
  readonly changes: readonly Change[];
  readonly problems: readonly RoomProblem[];
}

/** A configuration is ours only if it carries this stage's owner tag: others' are never changed. */
function isOurs(configuration: ObservedLoggingConfiguration, stage: StageTargets): boolean {
  const { key, value } = stage.ownerTag;
  return Object.hasOwn(configuration.tags, key) && configuration.tags[key] === value;
}

/** The IVS destination a manifest destination stands for, or why there is none. */
export function resolveDestination(
  spec: LoggingDestinationSpec,
  stage: StageTargets,
): { readonly destination: LoggingDestination } | { readonly problem: string } {
  if ('stage' in spec) {
    if (spec.stage === 'log-group') {
      return stage.logGroupName === undefined
        ? { problem: 'destination { stage: log-group }, but this stage has no chat log group configured' }
        : { destination: { cloudWatchLogs: { logGroupName: stage.logGroupName } } };
    }
    return stage.deliveryStreamName === undefined
      ? {
          problem: 'destination { stage: delivery-stream }, but this stage has no delivery stream configured',
        }
      : { destination: { firehose: { deliveryStreamName: stage.deliveryStreamName } } };
  }
  if ('cloudWatchLogs' in spec)
    return { destination: { cloudWatchLogs: { logGroupName: spec.cloudWatchLogs } } };
  if ('firehose' in spec) return { destination: { firehose: { deliveryStreamName: spec.firehose } } };
  return { destination: { s3: { bucketName: spec.s3 } } };
}

/** `cloudWatchLogs /aws/ivs/chat`: the kind and the name, as the plan prints it. */
export function describeDestination(destination: LoggingDestination): string {
  if ('cloudWatchLogs' in destination) return `cloudWatchLogs ${destination.cloudWatchLogs.logGroupName}`;
  if ('firehose' in destination) return `firehose ${destination.firehose.deliveryStreamName}`;
  return `s3 ${destination.s3.bucketName}`;
}

/**
 * Plans the logging configurations the manifest declares against the ones that
 * exist. Only configurations carrying the stage's owner tag are ever updated or
 * deleted; a configuration already DELETING counts as gone (a new one is created
 * rather than waiting on it) and is not deleted twice.
 */
export function planLoggingConfigurations(
  manifest: RoomManifest,
  observed: readonly ObservedLoggingConfiguration[],
  stage: StageTargets,
): LoggingPlan {
  const changes: Change[] = [];
  const arnsByName = new Map<string, string>();
  const removedArns = new Set<string>();
  const unavailableNames = new Set<string>();
  const problems: string[] = [];
  const ours = observed.filter((configuration) => isOurs(configuration, stage));
  for (const declared of manifest.loggingConfigurations) {
    const named = ours.filter((configuration) => configuration.name === declared.name);
    const live = named.filter((configuration) => configuration.state !== 'DELETING');
    if (declared.remove) {
      for (const configuration of named) {
        removedArns.add(configuration.arn);
        if (configuration.state !== 'DELETING') {
          changes.push({ kind: 'delete-logging-configuration', arn: configuration.arn, name: declared.name });
        }
      }
      continue;
    }
    if (live.length > 1) {
      problems.push(
        `logging configuration ${declared.name}: ${live.length} of this stage's configurations have that name (${live.map((c) => c.arn).join(', ')}); delete all but one`,
      );
      unavailableNames.add(declared.name);
      continue;
    }
    const existing = live[0];
    if (existing !== undefined) arnsByName.set(declared.name, existing.arn);
    const resolved = resolveDestination(declared.destination, stage);
    if ('problem' in resolved) {
      problems.push(`logging configuration ${declared.name}: ${resolved.problem}`);
      if (existing === undefined) unavailableNames.add(declared.name);
      continue;
    }
    if (existing === undefined) {
      changes.push({
        kind: 'create-logging-configuration',
        name: declared.name,
        destination: resolved.destination,
        tags: { [stage.ownerTag.key]: stage.ownerTag.value },
      });
    } else if (describeDestination(existing.destination) !== describeDestination(resolved.destination)) {
      changes.push({
        kind: 'update-logging-configuration',
        arn: existing.arn,
        name: declared.name,
        destination: resolved.destination,
        fields: [
          {
            field: 'destination',
            current: describeDestination(existing.destination),
            desired: describeDestination(resolved.destination),
          },
        ],
      });
    }
  }
  return { changes: orderChanges(changes), arnsByName, removedArns, unavailableNames, problems };
}

/** What `reviewHandler.uri` means for this stage: IVS's uri, '' for no handler. */
function handlerUri(uri: string, stage: StageTargets): string {
  if (uri === 'stage') return stage.reviewFunctionArn;
  if (uri === 'none') return '';
  return uri;
}

function printable(value: string | number | undefined): string {
  if (value === undefined) return UNSET;
  return typeof value === 'number' ? String(value) : value === '' ? '(none)' : value;
}

/** `default` and unset both mean the stage's policy, which the published assignment writes as undefined. */
function effectivePolicy(policy: string | undefined): string | undefined {
  return policy === undefined || policy === DEFAULT_POLICY_NAME ? undefined : policy;
}

/**
 * Plans the changes that bring one room in line with what the manifest wants
 * for it: at most one update-room, one tag-room, one untag-room and one
 * assign-policy. A room already in line yields no change. What cannot be done
 * (too many logging configurations, unknown limits) is a problem for this room,
 * and the rest of the room is still planned.
 */
export function planRoom(room: ObservedRoom, desired: DesiredRoom, context: RoomPlanContext): RoomPlan {
  const { stage } = context;
  const problems: RoomProblem[] = [];
  const problem = (message: string) => problems.push({ roomArn: room.arn, message });
  const changes: Change[] = [];
  const target = { roomArn: room.arn, roomName: room.name };

  // update-room: review handler, limits, logging configurations.
  const fields: FieldChange[] = [];
  let update: Extract<Change, { kind: 'update-room' }>['update'] = {};
  let pending: readonly string[] = [];
  if (desired.reviewHandler !== undefined) {
    const uri = handlerUri(desired.reviewHandler.uri, stage);
    const current = room.messageReviewHandler;
    const currentUri = current?.uri ?? '';
    const wanted = { uri, fallbackResult: desired.reviewHandler.fallbackResult };
    // No handler is no handler, whatever fallbackResult IVS kept with an empty uri.
    const inLine =
      uri === ''
        ? currentUri === ''
        : current?.uri === uri && current.fallbackResult === wanted.fallbackResult;
    if (!inLine) {
      update = { ...update, messageReviewHandler: wanted };
      if (currentUri !== uri) {
        fields.push({
          field: 'reviewHandler.uri',
          current: current === undefined ? UNSET : printable(currentUri),
          desired: printable(uri),
        });
      }
      if (uri !== '' && current?.fallbackResult !== wanted.fallbackResult) {
        fields.push({
          field: 'reviewHandler.fallbackResult',
          current: printable(current?.fallbackResult),
          desired: wanted.fallbackResult,
        });
      }
    }
  }
  if (desired.maximumMessageLength !== undefined || desired.maximumMessageRatePerSecond !== undefined) {
    if (room.limits === undefined) {
      problem('limits unknown: GetRoom failed or was not made; message limits not planned');
    } else {
      const { maximumMessageLength, maximumMessageRatePerSecond } = desired;
      if (maximumMessageLength !== undefined && maximumMessageLength !== room.limits.maximumMessageLength) {
        update = { ...update, maximumMessageLength };
        fields.push({
          field: 'maximumMessageLength',
          current: printable(room.limits.maximumMessageLength),
          desired: printable(maximumMessageLength),
        });
      }
      if (
        maximumMessageRatePerSecond !== undefined &&
        maximumMessageRatePerSecond !== room.limits.maximumMessageRatePerSecond
      ) {
        update = { ...update, maximumMessageRatePerSecond };
        fields.push({
          field: 'maximumMessageRatePerSecond',
          current: printable(room.limits.maximumMessageRatePerSecond),
          desired: printable(maximumMessageRatePerSecond),
        });
      }
    }
  }
  const logging = planRoomLogging(room, desired, context);
  for (const message of logging.problems) problem(message);
  if (logging.change !== undefined) {
    update = { ...update, loggingConfigurationIdentifiers: logging.change.arns };
    pending = logging.change.pending;
    fields.push(logging.change.field);
  }
  if (fields.length > 0 || Object.keys(update).length > 0) {
    changes.push({
      kind: 'update-room',
      ...target,
      update,
      ...(pending.length === 0 ? {} : { pendingLoggingConfigurations: pending }),
      fields,
    });
  }

  // Tags, the policy tag among them.
  const wantedPolicy = effectivePolicy(desired.policy);
  const wantedTags: Tags = {
    ...desired.tags,
    ...(wantedPolicy === undefined ? {} : { [stage.policyTagKey]: wantedPolicy }),
  };
  const has = (key: string) => Object.hasOwn(room.tags, key);
  const toTag = Object.entries(wantedTags).filter(([key, value]) => !has(key) || room.tags[key] !== value);
  const toUntag = desired.removeTags.filter((key) => has(key) && !Object.hasOwn(wantedTags, key));
  if (wantedPolicy === undefined && has(stage.policyTagKey) && !toUntag.includes(stage.policyTagKey)) {
    toUntag.push(stage.policyTagKey);
  }
  const added = toTag.filter(([key]) => !has(key)).length;
  const tagCount = Object.keys(room.tags).length + added - toUntag.length;
  if (toTag.length > 0 && tagCount > MAX_TAGS_PER_ROOM) {
    problem(
      `would carry ${tagCount} tags, more than IVS's ${MAX_TAGS_PER_ROOM}; tags not added: ${toTag.map(([key]) => key).join(', ')}`,
    );
  } else if (toTag.length > 0) {
    changes.push({
      kind: 'tag-room',
      ...target,
      tags: Object.fromEntries(toTag),
      fields: toTag.map(([key, value]) => ({
        field: `tag ${key}`,
        current: has(key) ? printableTagValue(room.tags[key] ?? '') : UNSET,
        desired: printableTagValue(value),
      })),
    });
  }
  if (toUntag.length > 0) {
    changes.push({
      kind: 'untag-room',
      ...target,
      tagKeys: toUntag,
      fields: toUntag.map((key) => ({
        field: `tag ${key}`,
        current: printableTagValue(room.tags[key] ?? ''),
        desired: UNSET,
      })),
    });
  }

  // The assignment review reads: written to the enforcement table, not to IVS.
  if (context.publishedPolicy !== wantedPolicy) {
    changes.push({
      kind: 'assign-policy',
      ...target,
      policy: wantedPolicy,
      fields: [
        {
          field: 'policy',
          current: context.publishedPolicy ?? `(${DEFAULT_POLICY_NAME})`,
          desired: wantedPolicy ?? `(${DEFAULT_POLICY_NAME})`,
        },
      ],
    });
  }
  return { changes, problems };
}

/** An empty tag value is a value: show it as `""` rather than as nothing. */
function printableTagValue(value: string): string {
  return value === '' ? '""' : value;
}

/**
 * The room's logging list: its current ARNs minus the ones being deleted, then
 * the desired names' ARNs not already there (current order kept, new ones
 * appended). Configurations the room has that the manifest does not name are
 * kept: a manifest names what a room must have, not everything it may have.
 * When the desired list cannot be had (more than IVS's 3), the room still lets
 * go of configurations being deleted, or their deletion would fail every run.
 */
function planRoomLogging(
  room: ObservedRoom,
  desired: DesiredRoom,
  context: RoomPlanContext,
): { readonly problems: readonly string[]; readonly change?: LoggingListChange } {
  const current = room.loggingConfigurationIdentifiers;
  const kept = current.filter((arn) => !context.removedLoggingConfigurationArns.has(arn));
  const arns = [...kept];
  const pending: string[] = [];
  const unavailable: string[] = [];
  for (const name of desired.loggingConfigurations ?? []) {
    const arn = context.loggingConfigurationArns.get(name);
    if (arn !== undefined) {
      if (!arns.includes(arn)) arns.push(arn);
    } else if (context.unavailableLoggingConfigurations?.has(name)) {
      unavailable.push(name);
    } else if (!pending.includes(name)) {
      pending.push(name);
    }
  }
  const problems: string[] = [];
  if (unavailable.length > 0) {
    problems.push(
      `logging configuration ${unavailable.join(', ')} cannot be attached (see the logging configuration problems)`,
    );
  }
  const total = arns.length + pending.length;
  if (total > MAX_LOGGING_CONFIGURATIONS_PER_ROOM) {
    const names = [
      ...arns.map((arn) => nameOf(arn, context)),
      ...pending.map((name) => PENDING_PREFIX + name),
    ];
    problems.push(
      `would have ${total} logging configurations, more than IVS's ${MAX_LOGGING_CONFIGURATIONS_PER_ROOM} (${names.join(', ')}); none attached`,
    );
    return { problems, ...listChange(current, kept, [], context) };
  }
  return { problems, ...listChange(current, arns, pending, context) };
}

interface LoggingListChange {
  readonly arns: readonly string[];
  readonly pending: readonly string[];
  readonly field: FieldChange;
}

function listChange(
  current: readonly string[],
  arns: readonly string[],
  pending: readonly string[],
  context: RoomPlanContext,
): { readonly change?: LoggingListChange } {
  if (pending.length === 0 && arns.length === current.length && arns.every((arn, i) => arn === current[i])) {
    return {};
  }
  const list = (items: readonly string[]) => `[${items.join(', ')}]`;
  return {
    change: {
      arns,
      pending,
      field: {
        field: 'loggingConfigurations',
        current: list(current.map((arn) => nameOf(arn, context))),
        desired: list([
          ...arns.map((arn) => nameOf(arn, context)),
          ...pending.map((n) => PENDING_PREFIX + n),
        ]),
      },
    },
  };
}

/** A configuration of ours by its name (readable), anyone else's by its ARN (unambiguous). */
function nameOf(arn: string, context: RoomPlanContext): string {
  for (const [name, known] of context.loggingConfigurationArns) if (known === arn) return name;
  return arn;
}

/** How many changes of each kind, and in all. */
export function countChanges(
  changes: readonly Change[],
): { readonly total: number } & Partial<Record<Change['kind'], number>> {
  const counts: Partial<Record<Change['kind'], number>> = {};
  for (const change of changes) counts[change.kind] = (counts[change.kind] ?? 0) + 1;
  return { total: changes.length, ...counts };
}

const KIND_ORDER: Readonly<Record<Change['kind'], number>> = {
  'create-logging-configuration': 0,
  'update-logging-configuration': 1,
  'update-room': 2,
  'tag-room': 3,
  'untag-room': 4,
  'assign-policy': 5,
  'delete-logging-configuration': 6,
};

function groupOf(change: Change): number {
  if (change.kind === 'create-logging-configuration' || change.kind === 'update-logging-configuration')
    return 0;
  return change.kind === 'delete-logging-configuration' ? 2 : 1;
}

function sortKey(change: Change): string {
  switch (change.kind) {
    case 'create-logging-configuration':
      return change.name;
    case 'update-logging-configuration':
    case 'delete-logging-configuration':
      return `${change.name}\u0000${change.arn}`;
    default:
      return change.roomArn;
  }
}

/**
 * A stable order to apply and print: logging configurations created or updated
 * first (rooms attach them), then each room's changes by room ARN, and
 * deletions of logging configurations last, once rooms have let go of them.
 */
export function orderChanges(changes: readonly Change[]): Change[] {
  return [...changes].sort((a, b) => {
    const group = groupOf(a) - groupOf(b);
    if (group !== 0) return group;
    const keyA = sortKey(a);
    const keyB = sortKey(b);
    if (keyA !== keyB) return keyA < keyB ? -1 : 1;
    return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  });
}
