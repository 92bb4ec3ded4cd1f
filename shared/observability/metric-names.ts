/**
 * The custom metrics' names: one list that the code publishing them, the alarms and the dashboard in
 * serverless.yml (checked by the template tests) and the runbook agree on.
 *
 * Every metric is published in the namespace POWERTOOLS_METRICS_NAMESPACE (`IvsChatModeration`) with the
 * dimension `service` = POWERTOOLS_SERVICE_NAME (`ivs-chat-moderation-<stage>`, so stages in one account stay
 * apart). Alarms read only metrics whose sole dimension is `service`; the metrics broken down further
 * (`…ByRule`, `…ByType`) carry extra dimensions and feed the dashboard.
 */
export const METRIC = {
  // Review (one EMF line per reviewed message).
  /** Messages reviewed; dimensions service, Result (ALLOW, DENY, MASK, HOLD). */
  reviews: 'Reviews',
  /** Time inside the handler, sanction and assignment reads included; dimension service. */
  reviewLatency: 'ReviewLatency',
  /** Events that could not be reviewed (malformed, oversized, internal error): answered with reviewFailureResult. */
  reviewFailures: 'ReviewFailures',
  /** Sanction or policy-assignment reads that missed their budget or failed: the message was reviewed without. */
  reviewLookupsFailedOpen: 'ReviewLookupsFailedOpen',
  /** Rule matches; dimensions service, Rule, Result. Published only for messages a rule matched. */
  ruleMatches: 'RuleMatchesByRule',

  // Chat log consumers and the moderator API (the action executor).
  /** Chat log records a consumer read (CloudWatch Logs events or Firehose records); dimension service. */
  chatLogRecords: 'ChatLogRecords',
  /** Actions by kind and outcome; dimensions service, Action, Outcome (done, duplicate, failed, shadow). */
  actions: 'ActionsByType',
  actionsFailed: 'ActionsFailed',
  /** Plans made again because another invocation saved the same users first: contention, not an error. */
  replans: 'Replans',
  /** Pending actions dropped unexecuted: older than 12 hours (their batch never finished) or over 200 KB of them for one user. */
  actionsAbandoned: 'ActionsAbandoned',
  /** IVS answers of 429 (ThrottlingException) that backoff absorbed. */
  actionThrottles: 'ActionThrottles',

  // Reconciler.
  roomsDrifted: 'RoomsDrifted',
  changesFailed: 'ChangesFailed',
  reconcileThrottled: 'Throttled',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** The dimensions beyond `service`, by the names CloudWatch shows. */
export const DIMENSION = {
  /** The review's verdict: ALLOW, DENY, MASK (allowed with a rewrite), HOLD. */
  result: 'Result',
  /** A policy rule's id, or `sanction` when the sender's timeout or ban refused the message. */
  rule: 'Rule',
  /** An enforcement action's kind: delete-message, warn, disconnect, sanction, lift-sanction, notify. */
  action: 'Action',
  /** What became of an action: done, duplicate (done before), failed, shadow (decided, not sent). */
  outcome: 'Outcome',
} as const;
