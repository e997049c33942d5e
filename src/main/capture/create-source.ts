/**
 * URI (or parsed spec) → FrameSource. The only place that knows which class serves which scheme.
 */
import { FfmpegSource } from './ffmpeg-source';
import { ImagesSource } from './images-source';
import { parseSourceUri, type SourceSpec } from './source-uri';
import { SyntheticSource } from './synthetic-source';
import type { FrameSource, SourceOptions } from './types';

/** Throws `SourceUriError` for a malformed URI; everything that can only fail at run time is a state. */
export function createSource(source: string | SourceSpec, options: SourceOptions = {}): FrameSource {
  const spec = typeof source === 'string' ? parseSourceUri(source) : source;
  switch (spec.kind) {
    case 'synthetic':
      return new SyntheticSource(spec, options);
    case 'images':
      return new ImagesSource(spec, options);
    case 'file':
    case 'network':
    case 'v4l2':
    case 'dshow':
    case 'avfoundation':
      return new FfmpegSource(spec, options);
  }
}
