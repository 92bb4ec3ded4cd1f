import { beforeAll, describe, expect, it } from 'vitest';
import { consumerActionRate } from '../../local/consumer-action-rate.js';
import { isRecord } from '../../shared/guards.js';
import { METRIC } from '../../shared/observability/metric-names.js';
import type { Json, Resource } from '../helpers/cloudformation-template.js';
import { getAttOf, joined, object, refOf, Template, text } from '../helpers/cloudformation-template.js';
import { packageStack } from '../helpers/package-stack.js';

/**
 * The CloudFormation template `sls package` generates, checked as a cloud engineer would before approving it:
 * least-privilege roles on the stage's own resources, the ivschat invoke permission, log retention, runtime,
 * concurrency, failure destinations, alarms on metrics that exist, the dashboard, provisioned concurrency.
 *
 * Two packagings run at once: `dev` with the default parameters, and `prod` with provisioned concurrency and an
 * alarm email (prod's own params too: 90-day retention).
 */

const SERVICE = 'ivs-chat-moderation';
const METRIC_NAMES: ReadonlySet<string> = new Set(Object.values(METRIC));

const logsOf = (logGroup: string) => [`logs:CreateLogStream ${logGroup}`, `logs:PutLogEvents ${logGroup}`];
const ROOMS = 'ivschat room/*';
const IVS_MODERATION = ['DeleteMessage', 'SendEvent', 'DisconnectUser'].map(
  (action) => `ivschat:${action} ${ROOMS}`,
);
const IDEMPOTENCY = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'].map(
  (action) => `dynamodb:${action} IdempotencyTable`,
);
const enforcementTable = (...actions: string[]) =>
  actions.map((action) => `dynamodb:${action} EnforcementTable`);
const CHAT_LOG_ENFORCEMENT = [
  ...IVS_MODERATION,
  ...enforcementTable('BatchGetItem', 'GetItem', 'PutItem'),
  ...IDEMPOTENCY,
];

/** Every function's role: exactly these `action resource` grants (see Template.grants), the calls its code makes. */
const EXPECTED_GRANTS: Readonly<Record<string, readonly string[]>> = {
  ReviewMessageLambdaFunction: [
    ...logsOf('ReviewMessageLogGroup'),
    ...enforcementTable('GetItem', 'PutItem'),
  ],
  ModerateChatLogsLambdaFunction: [
    ...logsOf('ModerateChatLogsLogGroup'),
    ...CHAT_LOG_ENFORCEMENT,
    'sqs:SendMessage ModerateChatLogsDeadLetters',
  ],
  ModerateChatStreamLambdaFunction: [...logsOf('ModerateChatStreamLogGroup'), ...CHAT_LOG_ENFORCEMENT],
  IssueChatTokenLambdaFunction: [
    ...logsOf('IssueChatTokenLogGroup'),
    `ivschat:CreateChatToken ${ROOMS}`,
    ...enforcementTable('GetItem'),
  ],
  ModeratorApiLambdaFunction: [
    ...logsOf('ModeratorApiLogGroup'),
    ...IVS_MODERATION,
    ...enforcementTable('GetItem', 'BatchGetItem', 'PutItem', 'DeleteItem', 'Query'),
    ...IDEMPOTENCY,
  ],
  ReconcileRoomsLambdaFunction: [
    ...logsOf('ReconcileRoomsLogGroup'),
    ...['ListRooms', 'GetRoom', 'UpdateRoom', 'TagResource', 'UntagResource'].map(
      (a) => `ivschat:${a} ${ROOMS}`,
    ),
    ...[
      'ListLoggingConfigurations',
      'CreateLoggingConfiguration',
      'UpdateLoggingConfiguration',
      'DeleteLoggingConfiguration',
      'TagResource',
    ].map((action) => `ivschat:${action} ivschat logging-configuration/*`),
    ...['Create', 'Get', 'Update', 'Delete'].map((verb) => `logs:${verb}LogDelivery *`),
    'logs:ListLogDeliveries *',
    ...['PutResourcePolicy', 'DescribeResourcePolicies', 'DescribeLogGroups'].map(
      (action) => `logs:${action} logs log-group:*`,
    ),
    'firehose:TagDeliveryStream ChatDeliveryStream',
    ...enforcementTable('Query', 'PutItem', 'DeleteItem'),
    'sqs:SendMessage ReconcileRoomsDeadLetters',
  ],
};

/** The alarms the stage must have, as `namespace metric subject`: the subject a logical id or the custom dimension. */
const EXPECTED_ALARMS = [
  ...Object.keys(EXPECTED_GRANTS).map((fn) => `AWS/Lambda Errors ${fn}`),
  'AWS/Lambda Throttles ReviewMessageLambdaFunction',
  'AWS/Lambda Duration ReviewMessageLambdaFunction',
  ...[
    METRIC.reviewFailures,
    METRIC.actionsFailed,
    METRIC.actionsAbandoned,
    METRIC.actionThrottles,
    METRIC.changesFailed,
  ].map((name) => `custom ${name} service`),
  'AWS/SQS ApproximateNumberOfMessagesVisible ModerateChatLogsDeadLetters',
  'AWS/SQS ApproximateNumberOfMessagesVisible ReconcileRoomsDeadLetters',
  'AWS/ApiGateway 5xx HttpApi',
];

interface Stage {
  readonly stage: string;
  readonly template: Template;
  readonly logRetentionInDays: number;
  readonly provisionedConcurrency: number | undefined;
  readonly alarmEmail: string | undefined;
  readonly dataDeletionPolicy: 'Delete' | 'Retain';
}

const stages: Stage[] = [];

beforeAll(async () => {
  const started = performance.now();
  const [dev, prod] = await Promise.all([
    packageStack('dev'),
    packageStack('prod', { reviewProvisionedConcurrency: '2', alarmEmail: 'ops@example.com' }),
  ]);
  const total = (performance.now() - started) / 1000;
  console.info(
    `sls package, two at once: dev ${dev.seconds.toFixed(1)} s, prod ${prod.seconds.toFixed(1)} s, ${total.toFixed(1)} s in all`,
  );
  stages.push(
    {
      stage: 'dev',
      template: new Template(dev.template),
      logRetentionInDays: 14,
      provisionedConcurrency: undefined,
      alarmEmail: undefined,
      dataDeletionPolicy: 'Delete',
    },
    {
      stage: 'prod',
      template: new Template(prod.template),
      logRetentionInDays: 90,
      provisionedConcurrency: 2,
      alarmEmail: 'ops@example.com',
      dataDeletionPolicy: 'Retain',
    },
  );
}, 600_000);

function stage(name: string): Stage {
  const found = stages.find((candidate) => candidate.stage === name);
  if (found === undefined) throw new Error(`stage ${name} was not packaged`);
  return found;
}

const environmentOf = (fn: Resource): Json =>
  object(object(fn.properties.Environment, `${fn.id}.Environment`).Variables, `${fn.id} variables`);

describe.each(['dev', 'prod'])('the packaged template of stage %s', (name) => {
  it('gives every function its own role with exactly the grants its code needs, on the stage’s own resources', () => {
    const { template } = stage(name);
    const functions = template.functions();
    expect(functions.map((fn) => fn.id).sort()).toEqual(Object.keys(EXPECTED_GRANTS).sort());
    const roles = functions.map((fn) => getAttOf(fn.properties.Role, fn.id)[0]);
    expect(new Set(roles).size).toBe(roles.length);
    for (const fn of functions) {
      expect({ [fn.id]: template.grants(fn.id) }).toEqual({
        [fn.id]: [...(EXPECTED_GRANTS[fn.id] ?? [])].sort(),
      });
      const trust = JSON.stringify(template.resource(getAttOf(fn.properties.Role, fn.id)[0]).properties);
      expect(trust).toContain('"Service":"lambda.amazonaws.com"');
    }
  });

  it('has no wildcard action, and a wildcard resource only in the documented vended-logs statement', () => {
    const { template } = stage(name);
    for (const fn of template.functions()) {
      for (const statement of template.roleStatements(fn.id)) {
        const actions = [statement.Action].flat().map((action) => text(action, `${fn.id} action`));
        for (const action of actions) expect(action, fn.id).not.toContain('*');
        if ([statement.Resource].flat().includes('*')) {
          expect({ fn: fn.id, sid: statement.Sid }).toEqual({
            fn: 'ReconcileRoomsLambdaFunction',
            sid: 'VendedLogDelivery',
          });
          for (const action of actions) expect(action).toMatch(/^logs:[A-Za-z]+LogDeliver(y|ies)$/);
        }
      }
    }
  });

  it('lets review write only held messages', () => {
    const { template } = stage(name);
    const puts = template
      .roleStatements('ReviewMessageLambdaFunction')
      .filter((statement) => [statement.Action].flat().includes('dynamodb:PutItem'));
    expect(puts.map((statement) => statement.Condition)).toEqual([
      { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['HELD#*'] } },
    ]);
  });

  it('lets IVS Chat invoke the review alias (and the function) only for rooms of this account and Region', () => {
    const { template } = stage(name);
    const permissions = template
      .ofType('AWS::Lambda::Permission')
      .filter((permission) => permission.properties.Principal === 'ivschat.amazonaws.com');
    const alias = template.resource('ReviewMessageProvConcLambdaAlias', 'AWS::Lambda::Alias');
    expect(refOf(alias.properties.FunctionName, alias.id)).toBe('ReviewMessageLambdaFunction');
    expect(permissions.map((permission) => permission.properties.FunctionName)).toEqual(
      expect.arrayContaining([{ Ref: alias.id }, { 'Fn::GetAtt': ['ReviewMessageLambdaFunction', 'Arn'] }]),
    );
    expect(permissions).toHaveLength(2);
    for (const permission of permissions) {
      expect(permission.properties).toMatchObject({
        Action: 'lambda:InvokeFunction',
        SourceAccount: { Ref: 'AWS::AccountId' },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax, not a JS template.
        SourceArn: { 'Fn::Sub': 'arn:${AWS::Partition}:ivschat:${AWS::Region}:${AWS::AccountId}:room/*' },
      });
    }
    // What rooms are pointed at: the reconciler's handler ARN and the stack output both name the alias.
    const review = template.resource('ReviewMessageLambdaFunction');
    const reconcile = template.resource('ReconcileRoomsLambdaFunction');
    expect(environmentOf(reconcile).REVIEW_FUNCTION_NAME).toBe(
      `${text(review.properties.FunctionName, 'review name')}:${text(alias.properties.Name, 'alias name')}`,
    );
    expect(object(template.outputs.ReviewMessageFunctionArn, 'output').Value).toEqual({ Ref: alias.id });
  });

  it('provisions concurrency on that alias only when reviewProvisionedConcurrency is above 0', () => {
    const { template, provisionedConcurrency } = stage(name);
    expect(template.parameter('ReviewProvisionedConcurrency')).toMatchObject({ Type: 'Number', MinValue: 0 });
    const config = template.resolve(template.resource('ReviewMessageProvConcLambdaAlias').properties);
    const provisioned = object(config, 'alias').ProvisionedConcurrencyConfig;
    if (provisionedConcurrency === undefined) expect(provisioned).toBeUndefined();
    else
      expect(Number(object(provisioned, 'config').ProvisionedConcurrentExecutions)).toBe(
        provisionedConcurrency,
      );
  });

  it('keeps logs for the stage’s retention, on Node.js 24 and arm64, with the consumers’ reserved concurrency', () => {
    const { template, logRetentionInDays } = stage(name);
    const logGroups = template.ofType('AWS::Logs::LogGroup');
    for (const group of logGroups)
      expect(group.properties.RetentionInDays, group.id).toEqual(expect.any(Number));
    for (const fn of template.functions()) {
      const groupName = `/aws/lambda/${text(fn.properties.FunctionName, fn.id)}`;
      const group = logGroups.find((candidate) => candidate.properties.LogGroupName === groupName);
      expect(group?.properties.RetentionInDays, fn.id).toBe(logRetentionInDays);
      expect(fn.properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    }
    const reserved = Object.fromEntries(
      template.functions().map((fn) => [fn.id, fn.properties.ReservedConcurrentExecutions]),
    );
    expect(reserved).toEqual({
      ReviewMessageLambdaFunction: undefined,
      ModerateChatLogsLambdaFunction: 1,
      ModerateChatStreamLambdaFunction: 1,
      IssueChatTokenLambdaFunction: undefined,
      ModeratorApiLambdaFunction: undefined,
      ReconcileRoomsLambdaFunction: 1,
    });
    // Each consumer paces at its share of IVS's 100 actions a second, as the local stack and the load test do.
    for (const id of ['ModerateChatLogsLambdaFunction', 'ModerateChatStreamLambdaFunction']) {
      const fn = template.resource(id);
      const variables = object(object(fn.properties.Environment, id).Variables, id);
      expect({ id, rate: Number(variables.ACTION_RATE_PER_SECOND) }).toEqual({
        id,
        rate: consumerActionRate(Number(reserved[id])),
      });
    }
  });

  it('keeps the audit log, the archive and the chat logs on prod when the stack goes', () => {
    const { template, dataDeletionPolicy } = stage(name);
    for (const id of ['EnforcementTable', 'ChatArchiveBucket', 'ChatLogGroup']) {
      expect({ id, policy: template.resource(id).deletionPolicy }).toEqual({
        id,
        policy: dataDeletionPolicy,
      });
    }
  });

  it('names every stage’s metrics apart: service = ivs-chat-moderation-<stage> in one namespace', () => {
    const { template } = stage(name);
    for (const fn of template.functions()) {
      expect(environmentOf(fn)).toMatchObject({
        POWERTOOLS_SERVICE_NAME: `${SERVICE}-${name}`,
        POWERTOOLS_METRICS_NAMESPACE: 'IvsChatModeration',
      });
    }
  });

  it('gives every asynchronously invoked function a failure destination its role may send to, and encrypts queues', () => {
    const { template } = stage(name);
    const asyncFunctions = new Set<string>();
    for (const permission of template.ofType('AWS::Lambda::Permission')) {
      const principal = joined(permission.properties.Principal, `${permission.id}.Principal`).split('.')[0];
      const invoked =
        isRecord(permission.properties.FunctionName) && 'Ref' in permission.properties.FunctionName
          ? refOf(permission.properties.FunctionName, permission.id)
          : getAttOf(permission.properties.FunctionName, permission.id)[0];
      if (principal === 'logs' || principal === 'events') asyncFunctions.add(invoked);
      else
        expect(['apigateway', 'ivschat'], `${permission.id}: an invoker not classified here`).toContain(
          principal,
        );
    }
    expect([...asyncFunctions].sort()).toEqual([
      'ModerateChatLogsLambdaFunction',
      'ReconcileRoomsLambdaFunction',
    ]);
    const configs = template.ofType('AWS::Lambda::EventInvokeConfig');
    for (const fn of asyncFunctions) {
      const config = configs.find(
        (candidate) => refOf(candidate.properties.FunctionName, candidate.id) === fn,
      );
      const destination = object(
        object(config?.properties.DestinationConfig, `${fn} destinations`).OnFailure,
        fn,
      );
      const [queue] = getAttOf(destination.Destination, `${fn} on-failure destination`);
      template.resource(queue, 'AWS::SQS::Queue');
      expect(template.grants(fn)).toContain(`sqs:SendMessage ${queue}`);
    }
    for (const queue of template.ofType('AWS::SQS::Queue')) {
      expect(queue.properties.SqsManagedSseEnabled, queue.id).toBe(true);
    }
  });

  it('alarms on the required metrics, each one that exists, notifying the encrypted topic on alarm and on OK', () => {
    const { template } = stage(name);
    const service = `${SERVICE}-${name}`;
    const alarms = template.ofType('AWS::CloudWatch::Alarm');
    const topics = template.ofType('AWS::SNS::Topic');
    expect(topics).toHaveLength(1);
    const [topic] = topics;
    const signatures = alarms.map((alarm) => {
      const p = alarm.properties;
      expect(p.AlarmActions, alarm.id).toEqual([{ Ref: topic?.id }]);
      expect(p.OKActions, alarm.id).toEqual([{ Ref: topic?.id }]);
      expect(p.TreatMissingData, alarm.id).toBe('notBreaching');
      // The topic key's policy lets CloudWatch use it for alarms of this prefix only.
      expect(text(p.AlarmName, alarm.id).startsWith(`${service}-`), alarm.id).toBe(true);
      const metric = text(p.MetricName, alarm.id);
      const [dimension, ...others] = [p.Dimensions].flat().map((d) => object(d, `${alarm.id} dimension`));
      expect(others, alarm.id).toEqual([]);
      switch (p.Namespace) {
        case 'AWS/Lambda':
          expect(dimension?.Name).toBe('FunctionName');
          return `AWS/Lambda ${metric} ${template.resource(refOf(dimension?.Value, alarm.id), 'AWS::Lambda::Function').id}`;
        case 'AWS/SQS': {
          const [queue, attribute] = getAttOf(dimension?.Value, alarm.id);
          expect([dimension?.Name, attribute]).toEqual(['QueueName', 'QueueName']);
          return `AWS/SQS ${metric} ${template.resource(queue, 'AWS::SQS::Queue').id}`;
        }
        case 'AWS/ApiGateway':
          expect(dimension?.Name).toBe('ApiId');
          return `AWS/ApiGateway ${metric} ${template.resource(refOf(dimension?.Value, alarm.id), 'AWS::ApiGatewayV2::Api').id}`;
        case 'IvsChatModeration':
          expect(METRIC_NAMES, alarm.id).toContain(metric);
          expect(dimension).toEqual({ Name: 'service', Value: service });
          return `custom ${metric} service`;
        default:
          throw new Error(`${alarm.id}: namespace ${String(p.Namespace)}`);
      }
    });
    expect(signatures.sort()).toEqual([...EXPECTED_ALARMS].sort());
    const duration = alarms.find((alarm) => alarm.properties.MetricName === 'Duration');
    expect(duration?.properties).toMatchObject({
      ExtendedStatistic: 'p99',
      Threshold: 150,
      DatapointsToAlarm: 3,
    });
  });

  it('encrypts the alarm topic with a key CloudWatch may use, and subscribes alarmEmail only when given', () => {
    const { template, alarmEmail } = stage(name);
    const [topic] = template.ofType('AWS::SNS::Topic');
    const key = template.resource(refOf(topic?.properties.KmsMasterKeyId, 'topic key'), 'AWS::KMS::Key');
    expect(key.properties.EnableKeyRotation).toBe(true);
    const statements = [object(key.properties.KeyPolicy, 'key policy').Statement]
      .flat()
      .map((s) => object(s, 'key'));
    const cloudWatch = statements.find(
      (s) => JSON.stringify(s.Principal) === '{"Service":"cloudwatch.amazonaws.com"}',
    );
    expect(cloudWatch).toMatchObject({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'] });
    expect(JSON.stringify(cloudWatch?.Condition)).toContain(`:alarm:${SERVICE}-${name}-*`);
    const [subscription, ...more] = template.ofType('AWS::SNS::Subscription');
    expect(more).toEqual([]);
    expect(subscription?.properties).toMatchObject({ TopicArn: { Ref: topic?.id }, Protocol: 'email' });
    const subscribed = template.condition(text(subscription?.condition, 'subscription condition'));
    expect(subscribed ? template.resolve(subscription?.properties.Endpoint) : undefined).toBe(alarmEmail);
  });

  it('has a dashboard whose body is JSON and whose every metric exists', () => {
    const { template } = stage(name);
    const service = `${SERVICE}-${name}`;
    const [dashboard, ...others] = template.ofType('AWS::CloudWatch::Dashboard');
    expect(others).toEqual([]);
    const source = text(
      object(dashboard?.properties.DashboardBody, 'body')['Fn::Sub'],
      'DashboardBody Fn::Sub',
    );
    // Each ${…} names a pseudo parameter or a resource (attribute) of this stack; a dummy stands for its value.
    const body: unknown = JSON.parse(
      source.replace(/\$\{([^}]*)\}/g, (_, reference: string) => {
        if (!reference.startsWith('AWS::')) template.resource(reference.split('.')[0] ?? '');
        return `ref:${reference}`;
      }),
    );
    const seen = new Set<string>();
    for (const widget of [object(body, 'dashboard').widgets].flat()) {
      const properties = object(object(widget, 'widget').properties, 'widget properties');
      for (const row of [properties.metrics].flat()) {
        if (!Array.isArray(row)) throw new Error(`a metric row that is not a list: ${JSON.stringify(row)}`);
        const [first, metricName, ...rest] = row;
        if (isRecord(first)) {
          const search =
            /^SEARCH\('\{IvsChatModeration,[A-Za-z,]+\} MetricName="([A-Za-z]+)" service="([^"]+)"', 'Sum', \d+\)$/.exec(
              text(first.expression, 'expression'),
            );
          expect(search?.[2], String(first.expression)).toBe(service);
          seen.add(`IvsChatModeration ${search?.[1]}`);
          continue;
        }
        const dimensions = rest.filter((part) => typeof part === 'string');
        const metric = `${text(first, 'namespace')} ${text(metricName, 'metric name')}`;
        seen.add(metric);
        if (first === 'IvsChatModeration') expect(dimensions, metric).toEqual(['service', service]);
        else if (first === 'AWS/Lambda') {
          expect(dimensions[0]).toBe('FunctionName');
          const fn = text(dimensions[1], metric).replace(/^ref:/, '');
          template.resource(fn, 'AWS::Lambda::Function');
          if (dimensions.length > 2)
            expect(dimensions.slice(2)).toEqual(['Resource', `ref:${fn}:provisioned`]);
        } else if (first === 'AWS/SQS') {
          expect(dimensions[0]).toBe('QueueName');
          template.resource(
            text(dimensions[1], metric).replace(/^ref:|\.QueueName$/g, ''),
            'AWS::SQS::Queue',
          );
          seen.add(`${metric} ${dimensions[1]}`);
        } else throw new Error(`dashboard namespace ${metric}`);
      }
    }
    const custom = [...seen]
      .filter((metric) => metric.startsWith('IvsChatModeration '))
      .map((m) => m.split(' ')[1]);
    for (const metric of custom) expect(METRIC_NAMES).toContain(metric);
    expect(custom).toEqual(
      expect.arrayContaining([
        METRIC.reviews,
        METRIC.ruleMatches,
        METRIC.chatLogRecords,
        METRIC.actions,
        METRIC.actionThrottles,
        METRIC.roomsDrifted,
      ]),
    );
    expect([...seen]).toEqual(
      expect.arrayContaining([
        'AWS/Lambda Duration',
        'AWS/Lambda ConcurrentExecutions',
        'AWS/SQS ApproximateNumberOfMessagesVisible ref:ModerateChatLogsDeadLetters.QueueName',
        'AWS/SQS ApproximateNumberOfMessagesVisible ref:ReconcileRoomsDeadLetters.QueueName',
      ]),
    );
  });
});
