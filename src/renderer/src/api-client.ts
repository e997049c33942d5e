import { API_GLOBAL, type VisionStationApi } from '../../shared/api';

/**
 * The renderer's only way to the application. In Electron the preload has put the API on window;
 * elsewhere (a browser on `serve`) there is none yet and the page says so.
 */
export function connectApi(): VisionStationApi | null {
  const fromPreload = (window as unknown as Record<string, unknown>)[API_GLOBAL] as VisionStationApi | undefined;
  return fromPreload ?? null;
}
