/**
 * The one path from a transport (IPC, WebSocket) into the station: validate the method's
 * arguments, then call it. Both transports use this, so neither can skip validation.
 */
import type { ApiMethod, Backend } from '../../shared/api';
import { API_ARGS, firstIssue } from '../../shared/api-schemas';
import type { Station } from './station';

export class BadRequestError extends Error {
  override name = 'BadRequestError';
}

export async function dispatch(
  station: Station,
  backend: Backend,
  method: ApiMethod,
  args: unknown[],
): Promise<unknown> {
  const parsed = API_ARGS[method].safeParse(args);
  if (!parsed.success) throw new BadRequestError(`invalid ${method} request: ${firstIssue(parsed.error)}`);
  const a = parsed.data as unknown[];
  switch (method) {
    case 'getAppInfo':
      return station.getAppInfo(backend);
    case 'getSnapshot':
      return station.getSnapshot(backend);
    case 'detectImage':
      return station.detectImage(a[0] as Parameters<Station['detectImage']>[0]);
    case 'listModels':
      return station.listModels();
    case 'swapModel':
      return station.swapModel(a[0] as Parameters<Station['swapModel']>[0]);
    case 'setParams':
      return station.setParams(a[0] as Parameters<Station['setParams']>[0]);
    case 'setSource':
      return station.setSource(a[0] as Parameters<Station['setSource']>[0]);
    case 'setPlc':
      return station.setPlc(a[0] as Parameters<Station['setPlc']>[0]);
    case 'acknowledgeAlarm':
      return station.acknowledgeAlarm(a[0] as Parameters<Station['acknowledgeAlarm']>[0]);
    case 'setUiSettings':
      return station.setUiSettings(a[0] as Parameters<Station['setUiSettings']>[0]);
  }
}
