/**
 * The one typed API between the renderer and the application. In Electron it travels over IPC
 * through the preload; in a browser over a WebSocket. The renderer cannot tell which.
 */
import type { Detection, ModelInfo, StageTimingsMs } from './detection';

export type Backend = 'electron-ipc' | 'websocket';

export interface AppInfo {
  name: string;
  version: string;
  backend: Backend;
}

export interface DetectImageRequest {
  /** Encoded image file bytes (JPEG, PNG, ...). */
  imageBytes: Uint8Array;
  conf?: number;
  iou?: number;
}

export interface DetectImageResult {
  widthPx: number;
  heightPx: number;
  model: ModelInfo;
  detections: Detection[];
  timings: StageTimingsMs;
}

/** Request/response methods. Every key is also the IPC channel suffix (`vs:<key>`). */
export interface VisionStationApi {
  getAppInfo(): Promise<AppInfo>;
  detectImage(req: DetectImageRequest): Promise<DetectImageResult>;
}

export const API_METHODS = ['getAppInfo', 'detectImage'] as const satisfies readonly (keyof VisionStationApi)[];
export type ApiMethod = (typeof API_METHODS)[number];
export const ipcChannel = (method: ApiMethod): string => `vs:${method}`;

/** The name under which the preload exposes the API on `window`. */
export const API_GLOBAL = 'visionStation';
