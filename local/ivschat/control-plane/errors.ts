/**
 * The control plane's errors, shaped as the IVS Chat service answers them (restJson1, see
 * IVS Chat contracts §4.3): the error name in the `x-amzn-errortype` header, the members in
 * the JSON body. `@aws-sdk/client-ivschat` turns them into its own exception classes.
 */

export interface ValidationField {
  readonly name: string;
  readonly message: string;
}

export type ValidationReason = 'UNKNOWN_OPERATION' | 'FIELD_VALIDATION_FAILED' | 'OTHER';

export type ErrorType =
  | 'ValidationException'
  | 'AccessDeniedException'
  | 'PendingVerification'
  | 'ResourceNotFoundException'
  | 'ConflictException'
  | 'ServiceQuotaExceededException'
  | 'ThrottlingException'
  | 'InternalServerException';

const STATUS_BY_TYPE: Readonly<Record<ErrorType, number>> = {
  ValidationException: 400,
  AccessDeniedException: 403,
  PendingVerification: 403,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ServiceQuotaExceededException: 402,
  ThrottlingException: 429,
  InternalServerException: 500,
};

/** The model's ResourceType enum has only ROOM; logging configurations get a name of the same style. */
export type ResourceType = 'ROOM' | 'LOGGING_CONFIGURATION';

/** An error the control plane answers with; anything else thrown by an operation becomes InternalServerException. */
export class ControlPlaneError extends Error {
  readonly status: number;

  constructor(
    readonly type: ErrorType,
    message: string,
    /** Members beside `message`, as the model names them. */
    readonly members: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = type;
    this.status = STATUS_BY_TYPE[type];
  }

  body(): Record<string, unknown> {
    return { message: this.message, ...this.members };
  }
}

export function validationError(fields: readonly ValidationField[]): ControlPlaneError {
  const count = `${fields.length} validation error${fields.length === 1 ? '' : 's'} detected`;
  const message = `${count}: ${fields.map((field) => `${field.name}: ${field.message}`).join('; ')}`;
  return new ControlPlaneError('ValidationException', message, {
    reason: 'FIELD_VALIDATION_FAILED',
    fieldList: fields,
  });
}

export function requestError(message: string, reason: ValidationReason = 'OTHER'): ControlPlaneError {
  return new ControlPlaneError('ValidationException', message, { reason, fieldList: [] });
}

export function notFound(resourceType: ResourceType, resourceId: string): ControlPlaneError {
  const what = resourceType === 'ROOM' ? 'room' : 'logging configuration';
  return new ControlPlaneError('ResourceNotFoundException', `No ${what} ${resourceId}`, {
    resourceId,
    resourceType,
  });
}

export function conflict(resourceType: ResourceType, resourceId: string, message: string): ControlPlaneError {
  return new ControlPlaneError('ConflictException', message, { resourceId, resourceType });
}

export function quotaExceeded(
  resourceType: ResourceType,
  resourceId: string,
  limit: number,
  message: string,
): ControlPlaneError {
  return new ControlPlaneError('ServiceQuotaExceededException', message, { resourceId, resourceType, limit });
}

export function throttled(operation: string, limit: number): ControlPlaneError {
  return new ControlPlaneError(
    'ThrottlingException',
    `Rate exceeded: ${operation} allows ${limit} requests per second`,
    {
      limit,
    },
  );
}
