/**
 * Environment settings of onnxruntime sessions, readable without loading onnxruntime itself (the
 * station reads them on the main thread; sessions live in the inference worker).
 */

/** `VISION_STATION_ORT_SPIN=0|1` fixes spinning (as `--threads` fixes the thread count). */
export function spinningOverride(): boolean | undefined {
  const v = process.env['VISION_STATION_ORT_SPIN'];
  return v === undefined || v === '' ? undefined : v !== '0';
}
