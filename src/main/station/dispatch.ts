/**
 * The one path from a transport (IPC, WebSocket) into the station: validate the method's
 * arguments with its schema, then call it. Both transports use this, so neither can skip
 * validation, and the types of schema, arguments and result all come from `ApiSignatures`.
 */
import type { ApiMethod, ApiResult, VisionStationApi } from '../../shared/api';
import { API_ARGS, firstIssue } from '../../shared/api-schemas';

export class BadRequestError extends Error {
  override name = 'BadRequestError';
}

export async function dispatch<M extends ApiMethod>(
  api: VisionStationApi,
  method: M,
  args: unknown[],
): Promise<ApiResult<M>> {
  const parsed = API_ARGS[method].safeParse(args);
  if (!parsed.success) throw new BadRequestError(`invalid ${method} request: ${firstIssue(parsed.error)}`);
  return api[method](...parsed.data);
}
