import { vi } from 'vitest';

/**
 * The settings the functions read at load, stubbed for this test file (vi.unstubAllEnvs restores them): test
 * credentials (the emulator and dynalite check no signature), the tables `enforcement` and `idempotency` at
 * `dynamoDbEndpoint`, IVS Chat at `ivsChatEndpoint`, and any `extra`.
 */
export function stubFunctionEnvironment(
  dynamoDbEndpoint: string,
  ivsChatEndpoint: string,
  extra: Readonly<Record<string, string>> = {},
): void {
  for (const [name, value] of Object.entries({
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    ENFORCEMENT_TABLE: 'enforcement',
    IDEMPOTENCY_TABLE: 'idempotency',
    DYNAMODB_ENDPOINT: dynamoDbEndpoint,
    IVSCHAT_ENDPOINT: ivsChatEndpoint,
    ...extra,
  }))
    vi.stubEnv(name, value);
}
