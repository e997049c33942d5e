/**
 * The fleet view: what other stations publish on `<prefix>/<station>/status` (see mqtt-topics.ts),
 * folded into one read-only list. Pure: the subscriber adapter feeds messages in with their
 * receive time. Payloads come from other machines, so they are validated here.
 */
import { z } from 'zod';
import type { FleetStation } from '../../shared/fleet';
import { topicLevelProblem } from './mqtt-topics';

const OnlineSchema = z.object({
  online: z.literal(true),
  station: z.string().min(1).max(200),
  cameras: z.array(z.string().max(200)).max(64),
  fps: z.number().finite().min(0),
  alarms: z.array(z.string().max(200)).max(64),
  model: z.string().max(500).nullable().optional(),
});
const OfflineSchema = z.object({
  online: z.literal(false),
  station: z.string().min(1).max(200),
  cameras: z.array(z.string().max(200)).max(64),
  reason: z.enum(['lost', 'stopped']),
});
const StatusSchema = z.discriminatedUnion('online', [OnlineSchema, OfflineSchema]);

/** The station name a status topic belongs to, or null when the topic is not one. */
export function stationFromStatusTopic(prefix: string, topic: string): string | null {
  if (!topic.startsWith(`${prefix}/`) || !topic.endsWith('/status')) return null;
  const name = topic.slice(prefix.length + 1, -'/status'.length);
  return topicLevelProblem(name) === null ? name : null;
}

export type StatusParse = { ok: true; station: FleetStation } | { ok: false; problem: string };

/** One status message (its topic's station name wins over the payload's). */
export function parseFleetStatus(name: string, payloadText: string, receivedMs: number): StatusParse {
  let json: unknown;
  try {
    json = JSON.parse(payloadText);
  } catch {
    return { ok: false, problem: `status of ${name} is not JSON` };
  }
  const r = StatusSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    return { ok: false, problem: `status of ${name}: ${issue.path.join('.') || '(root)'} ${issue.message}` };
  }
  const s = r.data;
  return {
    ok: true,
    station: s.online
      ? {
          name,
          state: 'online',
          cameras: s.cameras,
          fps: s.fps,
          alarms: s.alarms,
          model: s.model ?? null,
          offlineReason: null,
          lastSeenMs: receivedMs,
        }
      : {
          name,
          state: 'offline',
          cameras: s.cameras,
          fps: 0,
          alarms: [],
          model: null,
          offlineReason: s.reason,
          lastSeenMs: receivedMs,
        },
  };
}

/**
 * The list as shown: online stations not heard from for `staleAfterMs` become `stale` (a network
 * problem the broker has not noticed yet); sorted by name.
 */
export function fleetView(
  stations: Iterable<FleetStation>,
  nowMs: number,
  staleAfterMs: number,
): FleetStation[] {
  return [...stations]
    .map((s) =>
      s.state === 'online' && nowMs - s.lastSeenMs > staleAfterMs ? { ...s, state: 'stale' as const } : s,
    )
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
