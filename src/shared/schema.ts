/**
 * The enums and bounds that settings, the API, the command line and the PLC configuration share,
 * each defined once with its type inferred from it, and the one function that turns a failed
 * validation into a line a person can act on ("where: what is wrong").
 */
import { z } from 'zod';
import { DEFAULT_MAX_OBJECTS, MAX_MAX_OBJECTS } from './plc-layout';

export const HANDSHAKE_MODES = ['free-run', 'ack', 'trigger'] as const;
export const handshakeModeSchema = z.enum(HANDSHAKE_MODES, {
  message: `must be one of ${HANDSHAKE_MODES.map((m) => `'${m}'`).join(', ')}`,
});
export type HandshakeMode = z.infer<typeof handshakeModeSchema>;

export const PROVIDERS = ['cpu', 'cuda', 'tensorrt'] as const;
export const providerSchema = z.enum(PROVIDERS, {
  message: `must be one of ${PROVIDERS.map((m) => `'${m}'`).join(', ')}`,
});
export type Provider = z.infer<typeof providerSchema>;

export const LOCALES = ['en', 'ko'] as const;
export const localeSchema = z.enum(LOCALES, { message: `must be one of ${LOCALES.join(', ')}` });

/**
 * 'inference-first': the live view slows while inference has no time to spare (the default);
 * 'steady': the live view keeps its rate and takes its share of the cores.
 */
export const LIVE_VIEW_MODES = ['inference-first', 'steady'] as const;
/**
 * Live-view pictures a second at most, by default (`serve --preview-fps`): an operator reads a
 * verdict, not a video, and each picture costs a share of the cores that inference needs.
 */
export const DEFAULT_PREVIEW_MAX_FPS = 10;
export const liveViewModeSchema = z.enum(LIVE_VIEW_MODES, {
  message: `must be one of ${LIVE_VIEW_MODES.map((m) => `'${m}'`).join(', ')}`,
});
export type LiveViewMode = z.infer<typeof liveViewModeSchema>;

/** Records in the PLC block. */
export const maxObjectsSchema = z.number().int().min(1).max(MAX_MAX_OBJECTS);
export { DEFAULT_MAX_OBJECTS, MAX_MAX_OBJECTS };

/** Confidence and IoU thresholds. */
export const thresholdSchema = z.number().min(0).max(1);

/** Class ids kept by the class filter (null keeps all). */
export const classFilterSchema = z.array(z.number().int().min(0).max(100_000)).max(10_000).nullable();

/**
 * The first problem of a failed validation as one line: the field's path (or what was validated)
 * and the reason. `label` turns the path into the user's word for it (e.g. `--conf`).
 */
export function describeIssue(
  error: z.ZodError,
  label: (path: readonly PropertyKey[]) => string = (p) => (p.length ? p.map(String).join('.') : '(root)'),
): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid value';
  return `${label(issue.path)}: ${issue.message}`;
}
