import type { LoggingConfiguration, LoggingDestination } from '../chat-state';
import { conflict, quotaExceeded } from './errors';
import { FieldReader } from './fields';
import { NO_CONTENT, type Operation, ok } from './operation';
import { paginate, readPageRequest } from './pagination';
import {
  LOGGING_CONFIGURATION_IDENTIFIER,
  loggingConfigurationDetail,
  RESOURCE_NAME,
  requireLoggingConfiguration,
  requireSettledLoggingConfiguration,
  TAGS,
} from './shapes';

/** CreateLoggingConfiguration, GetLoggingConfiguration, UpdateLoggingConfiguration, DeleteLoggingConfiguration, ListLoggingConfigurations. */

/** "Logging configurations: 10 (adjustable)" per account and Region (contracts §5). */
export const MAX_LOGGING_CONFIGURATIONS = 10;

const DESTINATIONS = ['s3', 'cloudWatchLogs', 'firehose'] as const;

/** The destinationConfiguration union: exactly one of s3, cloudWatchLogs, firehose. */
function readDestination(reader: FieldReader): LoggingDestination | undefined {
  const destination = reader.object('destinationConfiguration');
  if (destination === undefined) return undefined;
  const present = destination.presentMembers(DESTINATIONS);
  if (present.length !== 1) {
    reader.fail('destinationConfiguration', `Member must set exactly one of ${DESTINATIONS.join(', ')}`);
    return undefined;
  }
  const s3 = destination.object('s3');
  if (s3 !== undefined) {
    const bucketName = s3.requiredString('bucketName', { min: 3, max: 63, pattern: /^[a-z0-9-.]+$/ });
    return { s3: { bucketName } };
  }
  const cloudWatchLogs = destination.object('cloudWatchLogs');
  if (cloudWatchLogs !== undefined) {
    const logGroupName = cloudWatchLogs.requiredString('logGroupName', {
      min: 1,
      max: 512,
      pattern: /^[.\-_/#A-Za-z0-9]+$/,
    });
    return { cloudWatchLogs: { logGroupName } };
  }
  const firehose = destination.object('firehose');
  if (firehose !== undefined) {
    const deliveryStreamName = firehose.requiredString('deliveryStreamName', {
      min: 1,
      max: 64,
      pattern: /^[a-zA-Z0-9_.-]+$/,
    });
    return { firehose: { deliveryStreamName } };
  }
  return undefined;
}

export const createLoggingConfiguration: Operation = (state, input) => {
  const reader = FieldReader.of(input);
  const name = reader.string('name', RESOURCE_NAME);
  const destination = reader.has('destinationConfiguration')
    ? readDestination(reader)
    : reader.fail('destinationConfiguration', 'Member must not be null');
  const tags = reader.stringMap('tags', TAGS);
  reader.check();
  // readDestination records a problem whenever it returns nothing, so check() has already thrown.
  if (destination === undefined)
    throw new Error('destinationConfiguration passed validation without a value');
  if (state.loggingConfigurations.size >= MAX_LOGGING_CONFIGURATIONS) {
    throw quotaExceeded(
      'LOGGING_CONFIGURATION',
      '',
      MAX_LOGGING_CONFIGURATIONS,
      `An account may have at most ${MAX_LOGGING_CONFIGURATIONS} logging configurations in a Region`,
    );
  }

  const id = state.newId();
  const now = state.now();
  const configuration: LoggingConfiguration = {
    arn: state.arn('logging-configuration', id),
    id,
    ...(name === undefined ? {} : { name }),
    createTime: now,
    updateTime: now,
    destinationConfiguration: destination,
    state: 'ACTIVE',
    tags: tags ?? {},
  };
  state.loggingConfigurations.set(configuration.arn, configuration);
  return ok(loggingConfigurationDetail(configuration));
};

export const getLoggingConfiguration: Operation = (state, input) => {
  const reader = FieldReader.of(input);
  const identifier = reader.requiredString('identifier', LOGGING_CONFIGURATION_IDENTIFIER);
  reader.check();
  return ok(loggingConfigurationDetail(requireLoggingConfiguration(state, identifier)));
};

export const updateLoggingConfiguration: Operation = (state, input) => {
  const reader = FieldReader.of(input);
  const identifier = reader.requiredString('identifier', LOGGING_CONFIGURATION_IDENTIFIER);
  const name = reader.string('name', RESOURCE_NAME);
  const destination = readDestination(reader);
  reader.check();
  const configuration = requireSettledLoggingConfiguration(state, identifier);

  if (name !== undefined) configuration.name = name;
  if (destination !== undefined) configuration.destinationConfiguration = destination;
  configuration.updateTime = state.now();
  return ok(loggingConfigurationDetail(configuration));
};

export const deleteLoggingConfiguration: Operation = (state, input) => {
  const reader = FieldReader.of(input);
  const identifier = reader.requiredString('identifier', LOGGING_CONFIGURATION_IDENTIFIER);
  reader.check();
  const configuration = requireSettledLoggingConfiguration(state, identifier);
  const user = [...state.rooms.values()].find((room) =>
    room.loggingConfigurationIdentifiers.includes(configuration.arn),
  );
  if (user !== undefined) {
    throw conflict(
      'LOGGING_CONFIGURATION',
      configuration.arn,
      `Logging configuration ${configuration.arn} is used by room ${user.arn}; detach it with UpdateRoom first`,
    );
  }
  state.loggingConfigurations.delete(configuration.arn);
  return NO_CONTENT;
};

export const listLoggingConfigurations: Operation = (state, input) => {
  const reader = FieldReader.of(input);
  const pageRequest = readPageRequest(reader);
  reader.check();
  const { page, nextToken } = paginate(state.loggingConfigurations.values(), pageRequest);
  return ok({ loggingConfigurations: page.map(loggingConfigurationDetail), nextToken });
};
