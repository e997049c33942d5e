/**
 * The station's operator messages as translation keys plus parameters, so the UI can say them in
 * the screen's language. Each pattern mirrors the text the station builds (station.ts, plc-status.ts,
 * fps-monitor.ts); an unknown message is shown as sent (null here).
 */
export interface MessageKey {
  /** i18n key under `messages.` */
  key: string;
  params: Record<string, string>;
}

const PATTERNS: { key: string; re: RegExp; names: string[] }[] = [
  { key: 'plcUnreachable', re: /^PLC (.+) not reachable: (.*)$/s, names: ['endpoint', 'reason'] },
  { key: 'cameraState', re: /^camera (stalled|reconnecting|error): (.*)$/s, names: ['state', 'reason'] },
  {
    key: 'fpsBelow',
    re: /^([\d.]+) fps, below the (\d+) fps target for (\d+) s or more$/,
    names: ['fps', 'target', 's'],
  },
  { key: 'swapFailed', re: /^swap to (.+?) failed: (.*)$/s, names: ['name', 'reason'] },
  { key: 'reloading', re: /^(.*); reloading the model$/s, names: ['reason'] },
];

export function messageKey(message: string): MessageKey | null {
  for (const p of PATTERNS) {
    const m = p.re.exec(message);
    if (m) return { key: p.key, params: Object.fromEntries(p.names.map((n, i) => [n, m[i + 1]])) };
  }
  return null;
}
