/**
 * The one path from a transport (IPC, WebSocket) into the station: validate the method's
 * arguments with its schema, check the client may call it (session and role, see access-gate.ts),
 * then call it, auditing changes. Both transports use this, so neither can skip validation or the
 * role check, and the types of schema, arguments and result all come from `ApiSignatures`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ApiMethod, ApiResult, VisionStationApi } from '../../shared/api';
import { API_ARGS, firstIssue } from '../../shared/api-schemas';
import { StationError } from '../../shared/station-error';
import { requestClient, type AccessGate, type ClientContext } from './access-gate';
import { codedError } from './station-errors';

export class BadRequestError extends StationError {
  override name = 'BadRequestError';
  constructor(method: string, issue: string) {
    super('requestInvalid', { method, issue }, `invalid ${method} request: ${issue}`);
  }
}

/**
 * Who is asking, while a request runs: the logged-in user and the client's address (the address
 * alone when nobody is logged in; none for a direct call).
 */
export const requestOrigin = new AsyncLocalStorage<string>();

/** A station API with its gate (the Station has one; a bare API object is called unchecked). */
export type GuardedApi = VisionStationApi & { readonly gate?: AccessGate | null };

export async function dispatch<M extends ApiMethod>(
  api: GuardedApi,
  method: M,
  args: unknown[],
  /** The transport's client context, or (older callers) the client's address. */
  caller?: ClientContext | string,
): Promise<ApiResult<M>> {
  const parsed = API_ARGS[method].safeParse(args);
  if (!parsed.success) throw new BadRequestError(method, firstIssue(parsed.error));
  // The mapped type, not the intersection with `gate`, keeps method and arguments correlated.
  const target: VisionStationApi = api;
  // Errors the method did not code get one naming the method, so every refusal has a headline the
  // screen can say in its language (the reason stays as the method gave it).
  const call = (): Promise<ApiResult<M>> =>
    target[method](...parsed.data).catch((e: unknown) => {
      throw codedError('actionFailed', { method }, e);
    });
  const gate = api.gate;
  if (!gate) {
    if (typeof caller !== 'string') return call();
    return requestOrigin.run(caller, call);
  }
  const client = typeof caller === 'object' ? caller : gate.transient(caller ?? 'local');
  const address = typeof caller === 'string' ? caller : client.client;
  return requestClient.run(client, () =>
    gate.guard(client, method, parsed.data, () =>
      requestOrigin.run(client.username ? `${client.username} (${address})` : address, call),
    ),
  );
}
