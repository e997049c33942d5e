/**
 * The one path from a transport (IPC, WebSocket) into the station: validate the method's
 * arguments with its schema, then call it. Both transports use this, so neither can skip
 * validation, and the types of schema, arguments and result all come from `ApiSignatures`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ApiMethod, ApiResult, VisionStationApi } from '../../shared/api';
import { API_ARGS, firstIssue } from '../../shared/api-schemas';
import { StationError } from '../../shared/station-error';

export class BadRequestError extends StationError {
  override name = 'BadRequestError';
  constructor(method: string, issue: string) {
    super('requestInvalid', { method, issue }, `invalid ${method} request: ${issue}`);
  }
}

/** Who is asking, while a request runs: the WebSocket client's address (none in the Electron window). */
export const requestOrigin = new AsyncLocalStorage<string>();

export async function dispatch<M extends ApiMethod>(
  api: VisionStationApi,
  method: M,
  args: unknown[],
  origin?: string,
): Promise<ApiResult<M>> {
  const parsed = API_ARGS[method].safeParse(args);
  if (!parsed.success) throw new BadRequestError(method, firstIssue(parsed.error));
  if (origin === undefined) return api[method](...parsed.data);
  return requestOrigin.run(origin, () => api[method](...parsed.data));
}
