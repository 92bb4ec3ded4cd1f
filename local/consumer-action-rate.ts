/** IVS's DeleteMessage, SendEvent and DisconnectUser quota, per account. */
const ACTIONS_PER_SECOND = 100;

/**
 * The actions a second each chat log consumer environment paces itself at, as serverless.yml sets
 * ACTION_RATE_PER_SECOND: the quota is shared by the two consumers (CloudWatch Logs and Firehose) and the
 * moderator API, so each consumer takes half of it, split among its environments (its reserved concurrency).
 */
export function consumerActionRate(environments: number): number {
  return Math.floor(ACTIONS_PER_SECOND / 2 / environments);
}
