import { createElement, type FunctionComponent } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FleetStation } from '../../src/shared/fleet';

// The renderer is its own TypeScript project (tsconfig.web.json, which typechecks the panel);
// this Node-side test loads it at run time, where vitest compiles the TSX.
const RENDERER = '../../src/renderer/src';
type Props = { stations: FleetStation[]; nowMs: number; error?: string | null };
let FleetPanel: FunctionComponent<Props>;
let i18n: { changeLanguage(lng: string): Promise<unknown> };
beforeAll(async () => {
  ({ FleetPanel } = (await import(/* @vite-ignore */ `${RENDERER}/components/FleetPanel`)) as {
    FleetPanel: FunctionComponent<Props>;
  });
  ({ default: i18n } = (await import(/* @vite-ignore */ `${RENDERER}/i18n`)) as { default: typeof i18n });
});

const station = (over: Partial<FleetStation>): FleetStation => ({
  name: 'line1',
  state: 'online',
  cameras: ['cam1'],
  fps: 14.96,
  alarms: [],
  model: 'bolts',
  offlineReason: null,
  lastSeenMs: 1_000_000,
  ...over,
});

describe('FleetPanel', () => {
  it('shows each station with its state, cameras, fps, alarms and last seen', async () => {
    await i18n.changeLanguage('en');
    const html = renderToStaticMarkup(
      createElement(FleetPanel, {
        nowMs: 1_005_000,
        stations: [
          station({ alarms: ['plcDown'], cameras: ['top', 'side'] }),
          station({ name: 'line2', state: 'stale', fps: 3 }),
          station({ name: 'line3', state: 'offline', offlineReason: 'lost', fps: 0 }),
        ],
      }),
    );
    const rows = [...html.matchAll(/<tr data-testid="fleet-([^"]+)" data-state="([^"]+)">(.*?)<\/tr>/g)].map(
      (m) => [m[1], m[2], m[3]!.replace(/<[^>]+>/g, '|').replace(/\|+/g, '|')],
    );
    expect(rows).toEqual([
      ['line1', 'online', '|line1|Online|top, side|15.0|PLC link down|5 sec. ago|'],
      ['line2', 'stale', '|line2|Silent|cam1|3.0|—|5 sec. ago|'],
      ['line3', 'offline', '|line3|Lost|cam1|—|—|5 sec. ago|'],
    ]);
  });

  it('says when no station publishes, and shows a broker error instead', () => {
    expect(renderToStaticMarkup(createElement(FleetPanel, { nowMs: 0, stations: [] }))).toContain(
      'No station publishes to this broker yet',
    );
    const html = renderToStaticMarkup(
      createElement(FleetPanel, { nowMs: 0, stations: [], error: 'broker down' }),
    );
    expect(html).toContain('<div class="error-box" role="alert">broker down</div>');
    expect(html).not.toContain('No station');
  });
});
