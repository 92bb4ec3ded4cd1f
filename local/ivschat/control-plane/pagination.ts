import { isRecord } from '../../../shared/guards';
import { validationError } from './errors';
import type { FieldReader } from './fields';

/**
 * ListRooms and ListLoggingConfigurations pages: newest update first (the order ListRooms documents), ties
 * broken by ARN. The next token is a cursor on that order rather than an offset, so items created or deleted
 * between pages neither repeat nor go missing.
 */

interface Listed {
  readonly arn: string;
  readonly updateTime: Date;
}

export interface PageRequest {
  readonly maxResults: number;
  readonly nextToken?: string;
}

interface Cursor {
  readonly updateTime: number;
  readonly arn: string;
}

const DEFAULT_MAX_RESULTS = 50;

export function readPageRequest(reader: FieldReader): PageRequest {
  const maxResults = reader.integer('maxResults', { min: 1, max: 50 }) ?? DEFAULT_MAX_RESULTS;
  const nextToken = reader.string('nextToken', { max: 1024 });
  // An empty token is the model's minimum length and means "from the start".
  return nextToken ? { maxResults, nextToken } : { maxResults };
}

export function paginate<T extends Listed>(
  items: Iterable<T>,
  request: PageRequest,
): { readonly page: T[]; readonly nextToken?: string } {
  const ordered = [...items].sort(newestFirst);
  const cursor = request.nextToken === undefined ? undefined : decodeCursor(request.nextToken);
  const remaining = cursor === undefined ? ordered : ordered.filter((item) => comesAfter(item, cursor));
  const page = remaining.slice(0, request.maxResults);
  const last = page.at(-1);
  if (remaining.length <= page.length || last === undefined) return { page };
  return { page, nextToken: encodeCursor({ updateTime: last.updateTime.getTime(), arn: last.arn }) };
}

function newestFirst(a: Listed, b: Listed): number {
  return b.updateTime.getTime() - a.updateTime.getTime() || (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0);
}

function comesAfter(item: Listed, cursor: Cursor): boolean {
  const time = item.updateTime.getTime();
  return time < cursor.updateTime || (time === cursor.updateTime && item.arn > cursor.arn);
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(token: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (isRecord(parsed) && typeof parsed.updateTime === 'number' && typeof parsed.arn === 'string') {
    return { updateTime: parsed.updateTime, arn: parsed.arn };
  }
  throw validationError([{ name: 'nextToken', message: 'Member is not a token this API returned' }]);
}
