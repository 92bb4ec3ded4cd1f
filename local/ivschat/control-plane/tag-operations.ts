import type { ChatState, Tags } from '../chat-state';
import { notFound, validationError } from './errors';
import { FieldReader } from './fields';
import { type Operation, ok } from './operation';
import { MAX_TAGS, RESOURCE_ARN, TAG_KEY, TAGS } from './shapes';

/**
 * TagResource, UntagResource, ListTagsForResource on rooms and logging configurations (the model says only
 * rooms, IAM says both: contracts §4.2). The control plane passes the `{resourceArn}` path label, decoded,
 * and UntagResource's `tagKeys` query values as members of the input.
 */

function requireTaggable(state: ChatState, resourceArn: string): { tags: Tags } {
  const resource = state.taggable(resourceArn);
  if (resource !== undefined) return resource;
  throw notFound(
    resourceArn.includes(':logging-configuration/') ? 'LOGGING_CONFIGURATION' : 'ROOM',
    resourceArn,
  );
}

export const tagResource: Operation = (state, input) => {
  const reader = FieldReader.of(input);
  const resourceArn = reader.requiredString('resourceArn', RESOURCE_ARN);
  const tags = reader.has('tags')
    ? reader.stringMap('tags', TAGS)
    : reader.fail('tags', 'Member must not be null');
  reader.check();
  const resource = requireTaggable(state, resourceArn);

  const merged = { ...resource.tags, ...tags };
  if (Object.keys(merged).length > MAX_TAGS) {
    throw validationError([{ name: 'tags', message: `A resource may have at most ${MAX_TAGS} tags` }]);
  }
  resource.tags = merged;
  return ok({});
};

export const untagResource: Operation = (state, input) => {
  const reader = FieldReader.of(input);
  const resourceArn = reader.requiredString('resourceArn', RESOURCE_ARN);
  const tagKeys = reader.has('tagKeys')
    ? reader.stringList('tagKeys', { maxItems: MAX_TAGS, item: TAG_KEY })
    : reader.fail('tagKeys', 'Member must not be null');
  reader.check();
  const resource = requireTaggable(state, resourceArn);

  const removed = new Set(tagKeys);
  resource.tags = Object.fromEntries(Object.entries(resource.tags).filter(([key]) => !removed.has(key)));
  return ok({});
};

export const listTagsForResource: Operation = (state, input) => {
  const reader = FieldReader.of(input);
  const resourceArn = reader.requiredString('resourceArn', RESOURCE_ARN);
  reader.check();
  return ok({ tags: requireTaggable(state, resourceArn).tags });
};
