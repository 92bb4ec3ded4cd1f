import { describeValue, objectAt } from '../config/raw-document.js';
import { isRecord } from '../guards.js';
import type {
  DesiredReviewHandler,
  FallbackResult,
  LoggingDestinationSpec,
  ManagedLoggingConfiguration,
  ReviewHandlerUri,
  RoomEntry,
  RoomManifest,
  RoomSelector,
  Tags,
} from './room-manifest.js';

/** The room tag that carries a room's policy assignment; the reconciler writes it, so a manifest may not. */
export const POLICY_TAG_KEY = 'ivs-mod:policy';
/** The tag that marks logging configurations a stage created; the reconciler writes it, so a manifest may not. */
export const OWNER_TAG_KEY = 'ivs-mod:owner';
/** The policy name that always means the stage's own policy. */
export const DEFAULT_POLICY_NAME = 'default';
export const DEFAULT_CHANGE_BUDGET = 500;

export type ManifestPath = readonly (string | number)[];

export interface ManifestIssue {
  readonly path: ManifestPath;
  readonly message: string;
}

export interface RoomManifestServices {
  /**
   * Why the policy file `file` (as written in the manifest) cannot be used, or undefined when it loads.
   * Injected: reading files is the loader's business, not the validator's.
   */
  readonly checkPolicy: (name: string, file: string) => string | undefined;
}

export type RoomManifestValidation =
  | { readonly ok: true; readonly manifest: RoomManifest }
  | { readonly ok: false; readonly issues: readonly ManifestIssue[] };

/** IVS's limits (ivschat Smithy model) and this manifest's own. */
const LIMITS = {
  policyName: /^[A-Za-z0-9_-]{1,64}$/,
  loggingConfigurationName: /^[a-zA-Z0-9-_]{1,128}$/,
  roomName: /^[a-zA-Z0-9-_]*$/,
  roomNameLength: 128,
  roomArn: /^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:room\/[a-zA-Z0-9-]+$/,
  arnLength: 128,
  lambdaArn: /^arn:aws:lambda:[a-z0-9-]+:[0-9]{12}:function:.+/,
  handlerUriLength: 170,
  maximumMessageLength: { min: 1, max: 500 },
  maximumMessageRatePerSecond: { min: 1, max: 100 },
  loggingConfigurationsPerRoom: 3,
  tagsPerResource: 50,
  tagKeyLength: 128,
  tagValueLength: 256,
  logGroupName: { pattern: /^[.\-_/#A-Za-z0-9]+$/, min: 1, max: 512 },
  deliveryStreamName: { pattern: /^[a-zA-Z0-9_.-]+$/, min: 1, max: 64 },
  bucketName: { pattern: /^[a-z0-9-.]+$/, min: 3, max: 63 },
} as const;

const ROOT_KEYS = ['changeBudget', 'policies', 'loggingConfigurations', 'rooms'];
const LOGGING_KEYS = ['name', 'destination', 'remove'];
const DESTINATION_KEYS = ['stage', 'cloudWatchLogs', 'firehose', 's3'];
const STAGE_DESTINATIONS = ['log-group', 'delivery-stream'] as const;
const SELECT_KEYS = ['tags', 'namePrefix', 'arns'];
const HANDLER_KEYS = ['uri', 'fallbackResult'];
const FALLBACK_RESULTS: readonly FallbackResult[] = ['ALLOW', 'DENY'];
/** Everything an entry may set besides `select`: an entry must set one of them. */
const SETTABLE_KEYS = [
  'policy',
  'reviewHandler',
  'maximumMessageLength',
  'maximumMessageRatePerSecond',
  'loggingConfigurations',
  'tags',
  'removeTags',
];
const ENTRY_KEYS = ['select', ...SETTABLE_KEYS];

type Report = (path: ManifestPath, message: string) => void;

/**
 * Checks a parsed rooms manifest and turns it into a RoomManifest. Collects every
 * problem rather than stopping at the first, each with its path. Policy paths stay
 * as written: resolving them against the manifest's folder is the loader's job.
 * An empty document (every line commented out) is an empty manifest: it selects no room.
 */
export function validateRoomManifest(raw: unknown, services: RoomManifestServices): RoomManifestValidation {
  const issues: ManifestIssue[] = [];
  const report: Report = (path, message) => issues.push({ path, message });

  const root = raw === null || raw === undefined ? {} : objectAt(raw, [], report, ROOT_KEYS);
  if (root === undefined) return { ok: false, issues };

  const changeBudget = readChangeBudget(root.changeBudget, report);
  const policies = readPolicies(root.policies, report, services);
  const logging = readLoggingConfigurations(root.loggingConfigurations, report);
  const context: EntryContext = {
    // Every name written under `policies`, valid or not, so one bad policy file is reported once.
    policyNames: new Set(isRecord(root.policies) ? Object.keys(root.policies) : []),
    loggingNames: new Set(logging.declaredNames),
    removedLoggingNames: new Set(logging.configurations.filter((c) => c.remove).map((c) => c.name)),
  };
  const rooms = readRooms(root.rooms, report, context);

  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    manifest: { changeBudget, policies, loggingConfigurations: logging.configurations, rooms },
  };
}

interface EntryContext {
  readonly policyNames: ReadonlySet<string>;
  readonly loggingNames: ReadonlySet<string>;
  readonly removedLoggingNames: ReadonlySet<string>;
}

function listAt(value: unknown, path: ManifestPath, report: Report): readonly unknown[] | undefined {
  if (!Array.isArray(value)) {
    report(path, `must be a list (got ${describeValue(value)})`);
    return undefined;
  }
  return value;
}

function stringAt(
  value: unknown,
  path: ManifestPath,
  report: Report,
  { min, max }: { min: number; max: number },
): string | undefined {
  if (typeof value !== 'string') {
    // YAML reads `2` or `true` as a number or a boolean; say how to make it text.
    const hint = typeof value === 'number' || typeof value === 'boolean' ? '; quote it to make it text' : '';
    report(path, `must be a string (got ${describeValue(value)})${hint}`);
    return undefined;
  }
  if (value.length < min || value.length > max) {
    report(path, `must be ${min} to ${max} characters long (got ${value.length})`);
    return undefined;
  }
  return value;
}

function wholeNumberAt(
  value: unknown,
  path: ManifestPath,
  report: Report,
  { min, max }: { min: number; max: number },
): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
    report(path, `must be a whole number ${range} (got ${describeValue(value)})`);
    return undefined;
  }
  return value;
}

function readChangeBudget(value: unknown, report: Report): number {
  if (value === undefined) return DEFAULT_CHANGE_BUDGET;
  return (
    wholeNumberAt(value, ['changeBudget'], report, { min: 1, max: Number.MAX_SAFE_INTEGER }) ??
    DEFAULT_CHANGE_BUDGET
  );
}

function readPolicies(
  value: unknown,
  report: Report,
  services: RoomManifestServices,
): Readonly<Record<string, string>> {
  const policies: [string, string][] = [];
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    report(['policies'], `must be a mapping of policy name to policy file (got ${describeValue(value)})`);
    return {};
  }
  for (const [name, file] of Object.entries(value)) {
    const path = ['policies', name];
    let nameOk = true;
    if (name === DEFAULT_POLICY_NAME) {
      report(path, `"${DEFAULT_POLICY_NAME}" is reserved: it always means the stage's policy`);
      nameOk = false;
    } else if (!LIMITS.policyName.test(name)) {
      report(path, 'a policy name must be 1 to 64 letters, digits, - and _');
      nameOk = false;
    }
    const text = stringAt(file, path, report, { min: 1, max: 4096 });
    if (!nameOk || text === undefined) continue;
    const problem = services.checkPolicy(name, text);
    if (problem !== undefined) {
      report(path, problem);
      continue;
    }
    policies.push([name, text]);
  }
  return Object.fromEntries(policies);
}

function readLoggingConfigurations(
  value: unknown,
  report: Report,
): { configurations: ManagedLoggingConfiguration[]; declaredNames: string[] } {
  const configurations: ManagedLoggingConfiguration[] = [];
  const declaredNames: string[] = [];
  if (value === undefined || value === null) return { configurations, declaredNames };
  const list = listAt(value, ['loggingConfigurations'], report);
  if (list === undefined) return { configurations, declaredNames };
  const seen = new Set<string>();
  list.forEach((item, index) => {
    const path = ['loggingConfigurations', index];
    const raw = objectAt(item, path, report, LOGGING_KEYS);
    if (raw === undefined) return;
    let name = stringAt(raw.name, [...path, 'name'], report, { min: 1, max: 128 });
    if (name !== undefined && !LIMITS.loggingConfigurationName.test(name)) {
      report([...path, 'name'], 'must be letters, digits, - and _ only (IVS LoggingConfigurationName)');
      name = undefined;
    }
    if (name !== undefined) {
      declaredNames.push(name);
      if (seen.has(name)) {
        report([...path, 'name'], `duplicate logging configuration name "${name}"`);
        name = undefined;
      } else {
        seen.add(name);
      }
    }
    const destination = readDestination(raw.destination, [...path, 'destination'], report);
    let remove = false;
    if (raw.remove !== undefined) {
      if (typeof raw.remove === 'boolean') remove = raw.remove;
      else report([...path, 'remove'], `must be true or false (got ${describeValue(raw.remove)})`);
    }
    if (name !== undefined && destination !== undefined) configurations.push({ name, destination, remove });
  });
  return { configurations, declaredNames };
}

function readDestination(
  value: unknown,
  path: ManifestPath,
  report: Report,
): LoggingDestinationSpec | undefined {
  const raw = objectAt(value, path, report, DESTINATION_KEYS);
  if (raw === undefined) return undefined;
  const kinds = DESTINATION_KEYS.filter((key) => raw[key] !== undefined);
  if (kinds.length !== 1) {
    report(
      path,
      `must give exactly one of ${DESTINATION_KEYS.join(', ')} (got ${kinds.length === 0 ? 'none' : kinds.join(', ')})`,
    );
    return undefined;
  }
  const named = (
    key: string,
    limits: { pattern: RegExp; min: number; max: number },
    what: string,
  ): string | undefined => {
    const text = stringAt(raw[key], [...path, key], report, limits);
    if (text !== undefined && !limits.pattern.test(text)) {
      report([...path, key], `not a valid ${what}: must match ${limits.pattern.source}`);
      return undefined;
    }
    return text;
  };
  switch (kinds[0]) {
    case 'stage': {
      const stage = STAGE_DESTINATIONS.find((candidate) => candidate === raw.stage);
      if (stage === undefined) {
        report(
          [...path, 'stage'],
          `must be one of ${STAGE_DESTINATIONS.join(', ')} (got ${describeValue(raw.stage)})`,
        );
        return undefined;
      }
      return { stage };
    }
    case 'cloudWatchLogs': {
      const logGroup = named('cloudWatchLogs', LIMITS.logGroupName, 'CloudWatch Logs log group name');
      return logGroup === undefined ? undefined : { cloudWatchLogs: logGroup };
    }
    case 'firehose': {
      const stream = named('firehose', LIMITS.deliveryStreamName, 'Firehose delivery stream name');
      return stream === undefined ? undefined : { firehose: stream };
    }
    default: {
      const bucket = named('s3', LIMITS.bucketName, 'S3 bucket name');
      return bucket === undefined ? undefined : { s3: bucket };
    }
  }
}

function readRooms(value: unknown, report: Report, context: EntryContext): RoomEntry[] {
  if (value === undefined || value === null) return [];
  const list = listAt(value, ['rooms'], report);
  if (list === undefined) return [];
  const entries: RoomEntry[] = [];
  list.forEach((item, index) => {
    const entry = readEntry(item, ['rooms', index], report, context);
    if (entry !== undefined) entries.push(entry);
  });
  return entries;
}

function readEntry(
  value: unknown,
  path: ManifestPath,
  report: Report,
  context: EntryContext,
): RoomEntry | undefined {
  const raw = objectAt(value, path, report, ENTRY_KEYS);
  if (raw === undefined) return undefined;
  const select = readSelector(raw.select, [...path, 'select'], report);
  if (!SETTABLE_KEYS.some((key) => raw[key] !== undefined)) {
    report(path, `sets nothing: give at least one of ${SETTABLE_KEYS.join(', ')}`);
  }

  // A stand-in when `select` is invalid: the issue already fails the manifest, so it is never used.
  let entry: RoomEntry = { select: select ?? { all: true } };
  if (raw.policy !== undefined) {
    const policy = raw.policy;
    if (typeof policy !== 'string') {
      report([...path, 'policy'], `must be a policy name (got ${describeValue(policy)})`);
    } else if (policy !== DEFAULT_POLICY_NAME && !context.policyNames.has(policy)) {
      const defined = [DEFAULT_POLICY_NAME, ...context.policyNames].join(', ');
      report([...path, 'policy'], `unknown policy "${policy}"; defined under policies: ${defined}`);
    } else {
      entry = { ...entry, policy };
    }
  }
  if (raw.reviewHandler !== undefined) {
    const handler = readReviewHandler(raw.reviewHandler, [...path, 'reviewHandler'], report);
    if (handler !== undefined) entry = { ...entry, reviewHandler: handler };
  }
  if (raw.maximumMessageLength !== undefined) {
    const length = wholeNumberAt(
      raw.maximumMessageLength,
      [...path, 'maximumMessageLength'],
      report,
      LIMITS.maximumMessageLength,
    );
    if (length !== undefined) entry = { ...entry, maximumMessageLength: length };
  }
  if (raw.maximumMessageRatePerSecond !== undefined) {
    const rate = wholeNumberAt(
      raw.maximumMessageRatePerSecond,
      [...path, 'maximumMessageRatePerSecond'],
      report,
      LIMITS.maximumMessageRatePerSecond,
    );
    if (rate !== undefined) entry = { ...entry, maximumMessageRatePerSecond: rate };
  }
  if (raw.loggingConfigurations !== undefined) {
    const names = readEntryLogging(
      raw.loggingConfigurations,
      [...path, 'loggingConfigurations'],
      report,
      context,
    );
    if (names !== undefined) entry = { ...entry, loggingConfigurations: names };
  }
  if (raw.tags !== undefined) {
    const tags = readTags(raw.tags, [...path, 'tags'], report, { written: true });
    if (tags !== undefined) entry = { ...entry, tags };
  }
  if (raw.removeTags !== undefined) {
    // The keys as written, so a key both set and removed is reported even when another tag is invalid.
    const setKeys = new Set(isRecord(raw.tags) ? Object.keys(raw.tags) : []);
    const keys = readRemoveTags(raw.removeTags, [...path, 'removeTags'], report, setKeys);
    if (keys !== undefined) entry = { ...entry, removeTags: keys };
  }
  // Any issue fails the whole manifest, so an entry with one need not be left out here.
  return entry;
}

function readSelector(value: unknown, path: ManifestPath, report: Report): RoomSelector | undefined {
  if (value === 'all') return { all: true };
  if (value === undefined) {
    report(path, 'required: `all`, or a mapping of tags, namePrefix and/or arns');
    return undefined;
  }
  if (!isRecord(value)) {
    report(
      path,
      `must be \`all\` or a mapping of tags, namePrefix and/or arns (got ${describeValue(value)})`,
    );
    return undefined;
  }
  const raw = objectAt(value, path, report, SELECT_KEYS);
  if (raw === undefined) return undefined;
  if (!SELECT_KEYS.some((key) => raw[key] !== undefined)) {
    report(path, `selects nothing: give at least one of ${SELECT_KEYS.join(', ')}, or write \`select: all\``);
    return undefined;
  }
  let ok = true;
  let selector: RoomSelector = {};
  if (raw.tags !== undefined) {
    const tags = readTags(raw.tags, [...path, 'tags'], report, { written: false });
    if (tags === undefined) ok = false;
    else if (Object.keys(tags).length === 0) {
      report([...path, 'tags'], 'must name at least one tag');
      ok = false;
    } else selector = { ...selector, tags };
  }
  if (raw.namePrefix !== undefined) {
    const prefix = stringAt(raw.namePrefix, [...path, 'namePrefix'], report, {
      min: 1,
      max: LIMITS.roomNameLength,
    });
    if (prefix !== undefined && !LIMITS.roomName.test(prefix)) {
      report([...path, 'namePrefix'], 'no room name starts with it: room names are letters, digits, - and _');
      ok = false;
    } else if (prefix === undefined) ok = false;
    else selector = { ...selector, namePrefix: prefix };
  }
  if (raw.arns !== undefined) {
    const list = listAt(raw.arns, [...path, 'arns'], report);
    if (list === undefined) ok = false;
    else if (list.length === 0) {
      report([...path, 'arns'], 'must list at least one room ARN');
      ok = false;
    } else {
      const arns: string[] = [];
      list.forEach((item, index) => {
        const at = [...path, 'arns', index];
        const arn = stringAt(item, at, report, { min: 1, max: LIMITS.arnLength });
        if (arn !== undefined && !LIMITS.roomArn.test(arn)) {
          report(at, `not a room ARN: must match ${LIMITS.roomArn.source}`);
          ok = false;
        } else if (arn === undefined) ok = false;
        else arns.push(arn);
      });
      selector = { ...selector, arns };
    }
  }
  return ok ? selector : undefined;
}

function readReviewHandler(
  value: unknown,
  path: ManifestPath,
  report: Report,
): DesiredReviewHandler | undefined {
  const raw = objectAt(value, path, report, HANDLER_KEYS);
  if (raw === undefined) return undefined;
  let uri: ReviewHandlerUri | undefined;
  const text = raw.uri;
  if (text === 'stage' || text === 'none') uri = text;
  else if (typeof text === 'string' && isLambdaArn(text)) uri = text;
  else if (typeof text === 'string') {
    report(
      [...path, 'uri'],
      `must be stage, none or a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>, at most ${LIMITS.handlerUriLength} characters)`,
    );
  } else {
    report([...path, 'uri'], `required: stage, none or a Lambda function ARN (got ${describeValue(text)})`);
  }
  let fallbackResult: FallbackResult = 'ALLOW';
  if (raw.fallbackResult !== undefined) {
    const match = FALLBACK_RESULTS.find((candidate) => candidate === raw.fallbackResult);
    if (match === undefined) {
      report(
        [...path, 'fallbackResult'],
        `must be one of ${FALLBACK_RESULTS.join(', ')} (got ${describeValue(raw.fallbackResult)})`,
      );
    } else {
      fallbackResult = match;
    }
  }
  return uri === undefined ? undefined : { uri, fallbackResult };
}

function isLambdaArn(text: string): text is `arn:${string}` {
  return text.length <= LIMITS.handlerUriLength && LIMITS.lambdaArn.test(text);
}

function readEntryLogging(
  value: unknown,
  path: ManifestPath,
  report: Report,
  context: EntryContext,
): string[] | undefined {
  const list = listAt(value, path, report);
  if (list === undefined) return undefined;
  let ok = true;
  if (list.length > LIMITS.loggingConfigurationsPerRoom) {
    report(
      path,
      `at most ${LIMITS.loggingConfigurationsPerRoom} logging configurations per room (IVS's limit; got ${list.length})`,
    );
    ok = false;
  }
  const names: string[] = [];
  list.forEach((item, index) => {
    const at = [...path, index];
    if (typeof item !== 'string') {
      report(at, `must be a logging configuration name (got ${describeValue(item)})`);
      ok = false;
    } else if (!context.loggingNames.has(item)) {
      const declared = [...context.loggingNames];
      report(
        at,
        `unknown logging configuration "${item}"; declared under loggingConfigurations: ${declared.length === 0 ? '(none)' : declared.join(', ')}`,
      );
      ok = false;
    } else if (context.removedLoggingNames.has(item)) {
      report(at, `logging configuration "${item}" is marked remove: true; it cannot be attached`);
      ok = false;
    } else if (names.includes(item)) {
      report(at, `"${item}" is listed twice`);
      ok = false;
    } else {
      names.push(item);
    }
  });
  return ok ? names : undefined;
}

/** Why a tag key cannot be written by the manifest, if it cannot. */
function reservedTagKey(key: string): string | undefined {
  if (key.toLowerCase().startsWith('aws:')) return 'tag keys starting with aws: are reserved by AWS';
  if (key === POLICY_TAG_KEY)
    return `${POLICY_TAG_KEY} is written by the reconciler from \`policy\`; set policy instead`;
  if (key === OWNER_TAG_KEY) return `${OWNER_TAG_KEY} is reserved: it marks what a stage created`;
  return undefined;
}

function tagKeyProblem(key: string, written: boolean): string | undefined {
  if (key.length < 1 || key.length > LIMITS.tagKeyLength) {
    return `a tag key must be 1 to ${LIMITS.tagKeyLength} characters long (got ${key.length})`;
  }
  return written ? reservedTagKey(key) : undefined;
}

/** `written`: tags the reconciler will put on rooms, where reserved keys are refused; else tags to match. */
function readTags(
  value: unknown,
  path: ManifestPath,
  report: Report,
  { written }: { written: boolean },
): Tags | undefined {
  if (!isRecord(value)) {
    report(path, `must be a mapping of tag key to value (got ${describeValue(value)})`);
    return undefined;
  }
  const entries = Object.entries(value);
  let ok = true;
  if (entries.length > LIMITS.tagsPerResource) {
    report(path, `at most ${LIMITS.tagsPerResource} tags (got ${entries.length})`);
    ok = false;
  }
  // Entries, not assignment: a `__proto__` key must stay a key (and be refused or kept), not set a prototype.
  const tags: [string, string][] = [];
  for (const [key, tagValue] of entries) {
    const at = [...path, key];
    const keyProblem = tagKeyProblem(key, written);
    if (keyProblem !== undefined) {
      report(at, keyProblem);
      ok = false;
      continue;
    }
    const text = stringAt(tagValue, at, report, { min: 0, max: LIMITS.tagValueLength });
    if (text === undefined) ok = false;
    else tags.push([key, text]);
  }
  return ok ? Object.fromEntries(tags) : undefined;
}

function readRemoveTags(
  value: unknown,
  path: ManifestPath,
  report: Report,
  setKeys: ReadonlySet<string>,
): string[] | undefined {
  const list = listAt(value, path, report);
  if (list === undefined) return undefined;
  let ok = true;
  if (list.length > LIMITS.tagsPerResource) {
    report(path, `at most ${LIMITS.tagsPerResource} tag keys (got ${list.length})`);
    ok = false;
  }
  const keys: string[] = [];
  list.forEach((item, index) => {
    const at = [...path, index];
    const key = stringAt(item, at, report, { min: 1, max: LIMITS.tagKeyLength });
    if (key === undefined) {
      ok = false;
      return;
    }
    const problem = reservedTagKey(key);
    if (problem !== undefined) {
      report(at, problem);
      ok = false;
    } else if (setKeys.has(key)) {
      report(at, `"${key}" is also set under tags in this entry; keep one`);
      ok = false;
    } else if (keys.includes(key)) {
      report(at, `"${key}" is listed twice`);
      ok = false;
    } else {
      keys.push(key);
    }
  });
  return ok ? keys : undefined;
}
