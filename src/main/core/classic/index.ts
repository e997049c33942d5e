/** Public surface of the classic detector. */
export { ClassicDetector, CLASSIC_MAX_FRAME_SIDE_PX, type ClassicDetectorState } from './classic-detector';
export {
  classicDetectorOptionsSchema,
  parseClassicDetectorOptions,
  parseClassicOptionsArg,
  CLASSIC_MAX_DIFF,
  type ClassicDetectorOptions,
  type ClassicDetectorOptionsInput,
} from './options';
