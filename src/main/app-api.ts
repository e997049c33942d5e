/**
 * The one implementation of the shared API in the main process. Electron IPC (and later the
 * WebSocket server) call into this; neither transport holds logic of its own.
 */
import type { AppInfo, Backend, DetectImageRequest, DetectImageResult } from '../shared/api';
import type { InferenceEngine } from './inference/engine';
import sharp from 'sharp';

export interface AppApiDeps {
  version: string;
  engine: InferenceEngine;
}

export function createAppApi(deps: AppApiDeps) {
  return {
    async getAppInfo(backend: Backend): Promise<AppInfo> {
      return { name: 'Vision Station', version: deps.version, backend };
    },
    async detectImage(req: DetectImageRequest): Promise<DetectImageResult> {
      const { data, info } = await sharp(req.imageBytes, { failOn: 'error' })
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      const out = await deps.engine.infer(
        { rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), widthPx: info.width, heightPx: info.height },
        { confThreshold: req.conf ?? 0.25, iouThreshold: req.iou ?? 0.45, maxDet: 300, classFilter: null },
      );
      return { widthPx: info.width, heightPx: info.height, model: out.model, detections: out.detections, timings: out.timings };
    },
  };
}
export type AppApi = ReturnType<typeof createAppApi>;
