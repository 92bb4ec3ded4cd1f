/**
 * The rooms manifest (config/rooms.yaml) after validation, and the shapes the
 * reconciler compares it with. Pure types: the IVS adapter translates to and
 * from the SDK's shapes, the planner compares these.
 */

export type Tags = Readonly<Record<string, string>>;
export type FallbackResult = 'ALLOW' | 'DENY';

/**
 * Which rooms an entry applies to. `all`, or every given condition at once: all of `tags` (key and value),
 * the name starting with `namePrefix`, the ARN in `arns`.
 */
export type RoomSelector =
  | { readonly all: true }
  | {
      readonly all?: undefined;
      readonly tags?: Tags;
      readonly namePrefix?: string;
      readonly arns?: readonly string[];
    };

/** `stage`: this stage's review function; `none`: no handler (IVS: an empty uri); else a Lambda function ARN. */
export type ReviewHandlerUri = 'stage' | 'none' | `arn:${string}`;

export interface DesiredReviewHandler {
  readonly uri: ReviewHandlerUri;
  readonly fallbackResult: FallbackResult;
}

/** One entry of `rooms:`. Unset fields leave the room's value alone (or an earlier entry's). */
export interface RoomEntry {
  readonly select: RoomSelector;
  /** A name from `policies` (or `default`, the stage's policy); also written as the policy tag. */
  readonly policy?: string;
  readonly reviewHandler?: DesiredReviewHandler;
  readonly maximumMessageLength?: number;
  readonly maximumMessageRatePerSecond?: number;
  /** Names from `loggingConfigurations`: attached to the room (at most 3 in all, IVS's limit). */
  readonly loggingConfigurations?: readonly string[];
  /** Tags the room must carry with these values. */
  readonly tags?: Tags;
  /** Tag keys the room must not carry (the manifest owns them by naming them here). */
  readonly removeTags?: readonly string[];
}

/** Where a logging configuration delivers: the stage's own destinations, or a named one. */
export type LoggingDestinationSpec =
  | { readonly stage: 'log-group' | 'delivery-stream' }
  | { readonly cloudWatchLogs: string }
  | { readonly firehose: string }
  | { readonly s3: string };

export interface ManagedLoggingConfiguration {
  /** The IVS logging configuration name (letters, digits, - and _; at most 128). */
  readonly name: string;
  readonly destination: LoggingDestinationSpec;
  /** Delete it (detaching it from every room first); only ever one this stage created (owner tag). */
  readonly remove: boolean;
}

export interface RoomManifest {
  /** Policy name → policy file, resolved against the manifest's folder. `default` is always the stage's policy. */
  readonly policies: Readonly<Record<string, string>>;
  readonly loggingConfigurations: readonly ManagedLoggingConfiguration[];
  /** In file order: for each field, the last entry that selects a room and sets the field wins. */
  readonly rooms: readonly RoomEntry[];
  /** A run that would make more changes than this applies none of them unless forced. */
  readonly changeBudget: number;
}

/** What a room should be, once every entry that selects it is merged. Unset: leave alone. */
export interface DesiredRoom {
  readonly policy?: string;
  readonly reviewHandler?: DesiredReviewHandler;
  readonly maximumMessageLength?: number;
  readonly maximumMessageRatePerSecond?: number;
  readonly loggingConfigurations?: readonly string[];
  readonly tags: Tags;
  readonly removeTags: readonly string[];
}

/** A room as the fleet read saw it. `limits` is known only from GetRoom (ListRooms summaries lack them). */
export interface ObservedRoom {
  readonly arn: string;
  readonly id: string;
  readonly name: string;
  /** ISO 8601; changes whenever the room is updated. */
  readonly updateTime: string;
  readonly tags: Tags;
  /** Absent: no handler. */
  readonly messageReviewHandler?: { readonly uri: string; readonly fallbackResult: FallbackResult };
  readonly loggingConfigurationIdentifiers: readonly string[];
  readonly limits?: { readonly maximumMessageLength: number; readonly maximumMessageRatePerSecond: number };
}

/** IVS's destination shape. */
export type LoggingDestination =
  | { readonly cloudWatchLogs: { readonly logGroupName: string } }
  | { readonly firehose: { readonly deliveryStreamName: string } }
  | { readonly s3: { readonly bucketName: string } };

export interface ObservedLoggingConfiguration {
  readonly arn: string;
  readonly id: string;
  readonly name: string;
  readonly destination: LoggingDestination;
  readonly tags: Tags;
  readonly state: string;
}

/** What the plan needs to know about this deployment. */
export interface StageTargets {
  /** The review function's ARN (REVIEW_FUNCTION_ARN). */
  readonly reviewFunctionArn: string;
  /** The stage's chat log group, for `{ stage: log-group }`. */
  readonly logGroupName?: string;
  /** The stage's Firehose delivery stream, for `{ stage: delivery-stream }`. */
  readonly deliveryStreamName?: string;
  /** Marks logging configurations this stage created: only those may be updated or deleted. */
  readonly ownerTag: { readonly key: string; readonly value: string };
  /** The tag that carries a room's policy assignment (it is owned: removed when the assignment goes). */
  readonly policyTagKey: string;
}

export interface FieldChange {
  readonly field: string;
  /** Printable values; `(unset)` for absent. */
  readonly current: string;
  readonly desired: string;
}

/** One API call (or, for `assign-policy`, one write to the enforcement table). */
export type Change =
  | {
      readonly kind: 'create-logging-configuration';
      readonly name: string;
      readonly destination: LoggingDestination;
      readonly tags: Tags;
    }
  | {
      readonly kind: 'update-logging-configuration';
      readonly arn: string;
      readonly name: string;
      readonly destination: LoggingDestination;
      readonly fields: readonly FieldChange[];
    }
  | { readonly kind: 'delete-logging-configuration'; readonly arn: string; readonly name: string }
  | {
      readonly kind: 'update-room';
      readonly roomArn: string;
      readonly roomName: string;
      /** Only the fields that differ. `loggingConfigurationIdentifiers` are ARNs. */
      readonly update: {
        readonly messageReviewHandler?: { readonly uri: string; readonly fallbackResult: FallbackResult };
        readonly maximumMessageLength?: number;
        readonly maximumMessageRatePerSecond?: number;
        readonly loggingConfigurationIdentifiers?: readonly string[];
      };
      /**
       * Names of logging configurations created in the same run, which have no ARN until they are: the room's
       * list is `update.loggingConfigurationIdentifiers` followed by their ARNs, in this order. Absent when none.
       * (With pending names, `update.loggingConfigurationIdentifiers` is always present.)
       */
      readonly pendingLoggingConfigurations?: readonly string[];
      readonly fields: readonly FieldChange[];
    }
  | {
      readonly kind: 'tag-room';
      readonly roomArn: string;
      readonly roomName: string;
      readonly tags: Tags;
      /** For display: `tag <key>` from the room's value (or `(unset)`) to the new one. */
      readonly fields?: readonly FieldChange[];
    }
  | {
      readonly kind: 'untag-room';
      readonly roomArn: string;
      readonly roomName: string;
      readonly tagKeys: readonly string[];
      /** For display: `tag <key>` from the room's value to `(unset)`. */
      readonly fields?: readonly FieldChange[];
    }
  | {
      readonly kind: 'assign-policy';
      readonly roomArn: string;
      readonly roomName: string;
      /** undefined: the room goes back to the default policy. */
      readonly policy: string | undefined;
      /** For display: `policy` from the published one (`(default)`) to the desired one. */
      readonly fields?: readonly FieldChange[];
    };

/** A room the manifest selects but cannot be brought in line, and why (e.g. more than 3 logging configurations). */
export interface RoomProblem {
  readonly roomArn: string;
  readonly message: string;
}
