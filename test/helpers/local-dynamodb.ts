import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { listen } from '../../local/listen.js';

export interface LocalDynamoDb {
  readonly endpoint: string;
  /** A real SDK client pointed at dynalite, with dummy credentials. */
  client(): DynamoDBClient;
  close(): Promise<void>;
}

/** dynalite in process on 127.0.0.1, on a free port; tables are usable as soon as they are created. */
export async function startLocalDynamoDb(): Promise<LocalDynamoDb> {
  const server = await listen(
    dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }),
    0,
    '127.0.0.1',
    'http',
  );
  const clients: DynamoDBClient[] = [];
  return {
    endpoint: server.url,
    client() {
      const client = new DynamoDBClient({
        endpoint: server.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.destroy();
      await server.close();
    },
  };
}
