/** API errors with the status codes and messages of Toxiproxy 2.12 (api.go). */

/** An error the HTTP API returns as `{"error": message, "status": status}`. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const proxyNotFound = () => new ApiError('proxy not found', 404);
export const proxyAlreadyExists = () => new ApiError('proxy already exists', 409);
export const invalidStream = () => new ApiError('stream was invalid, can be either upstream or downstream', 400);
export const invalidToxicType = () => new ApiError('invalid toxic type', 400);
export const toxicAlreadyExists = () => new ApiError('toxic already exists', 409);
export const toxicNotFound = () => new ApiError('toxic not found', 404);
export const badRequestBody = (detail: string) => new ApiError(`bad request body: ${detail}`, 400);
export const missingField = (field: string) => new ApiError(`missing required field: ${field}`, 400);

/** Go's wording for the socket errors a listener can raise (syscall.Errno strings). */
const GO_ERRNO_TEXT: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EACCES: 'permission denied',
  EAFNOSUPPORT: 'address family not supported by protocol',
};

/**
 * Converts a failed `listen` into the 500 error the real server returns, worded as Go's net
 * package words it (for example "listen tcp 127.0.0.1:8474: bind: address already in use").
 */
export function listenError(address: string, error: NodeJS.ErrnoException): ApiError {
  const text = (error.code && GO_ERRNO_TEXT[error.code]) ?? error.message;
  return new ApiError(`listen tcp ${address}: bind: ${text}`, 500);
}

/** Wraps any other error as a 500, as the real server does with errors that carry no status. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(error instanceof Error ? error.message : String(error), 500);
}
