import { test, expect, type Page } from '@playwright/test';
import { openStation, screenshotPath, startServe, writeResult, type Served } from './ui-steps';

// The operator screen at the four panel sizes of the brief: no main region or control overlaps
// another (from bounding boxes), every control is at least 44 px in both directions.
const SIZES = [
  { name: '1920x1080', width: 1920, height: 1080, locale: null },
  { name: '1366x768', width: 1366, height: 768, locale: null },
  { name: '1024x768', width: 1024, height: 768, locale: null },
  { name: '800x1280', width: 800, height: 1280, locale: null },
  // Korean labels have other widths: the narrowest landscape panel once more in Korean.
  { name: '1024x768-ko', width: 1024, height: 768, locale: 'ko' },
] as const;

const MIN_TARGET_PX = 44;

let served: Served;
test.beforeAll(async () => {
  served = await startServe({ source: 'synthetic:?size=640x360&fps=10', model: 'classic' });
});
test.afterAll(async () => {
  await served?.close();
});

interface Box {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

const REGION_IDS = [
  'status-bar',
  'live-toolbar',
  'live-canvas-wrap',
  'live-footer',
  'live-table',
  'side-tabs',
  'tab-body',
];

// Runs in the page (a string, as the node typecheck has no DOM types).
const MEASURE = `(() => {
  const box = (el, id) => { const r = el.getBoundingClientRect(); return { id, x: r.x, y: r.y, w: r.width, h: r.height }; };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const regions = ${JSON.stringify(REGION_IDS)}.map((id) => {
    const el = document.querySelector('[data-testid="' + id + '"]');
    return el ? box(el, id) : { id: id + ' (missing)', x: -1, y: -1, w: 0, h: 0 };
  });
  const controls = [];
  document
    .querySelectorAll('button, [role="button"], label.toggle, label.chip, select, input.text, input[type="range"]')
    .forEach((el, i) => {
      if (!visible(el)) return;
      const id = el.getAttribute('data-testid') || (el.tagName.toLowerCase() + '#' + i + ':' + (el.textContent || '').trim().slice(0, 24));
      controls.push(box(el, id));
    });
  return { regions, controls, viewport: { id: 'viewport', x: 0, y: 0, w: innerWidth, h: innerHeight } };
})()`;

/** Bounding boxes of the main regions, and of every visible control. */
async function measure(page: Page): Promise<{ regions: Box[]; controls: Box[]; viewport: Box }> {
  return page.evaluate(MEASURE);
}

const overlap = (a: Box, b: Box): number => {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0.5 && h > 0.5 ? w * h : 0;
};
const inside = (inner: Box, outer: Box): boolean =>
  inner.x >= outer.x - 0.5 &&
  inner.y >= outer.y - 0.5 &&
  inner.x + inner.w <= outer.x + outer.w + 0.5 &&
  inner.y + inner.h <= outer.y + outer.h + 0.5;

for (const size of SIZES) {
  test(`layout at ${size.name}: nothing overlaps, targets ≥ 44 px`, async ({ page }) => {
    await page.setViewportSize({ width: size.width, height: size.height });
    if (size.locale)
      await page.addInitScript(`localStorage.setItem('vision-station.screen-locale', '${size.locale}')`);
    await openStation(page, served.url);
    await expect(page.getByTestId('live-canvas')).toHaveAttribute('data-frame-id', /\d+/);
    const report: Record<string, unknown> = {};
    for (const tab of ['performance', 'alarms', 'tuning', 'plc'] as const) {
      await page.getByTestId(`tab-${tab}`).click();
      await expect(page.getByTestId(`tab-${tab}`)).toHaveAttribute('aria-selected', 'true');
      const { regions, controls, viewport } = await measure(page);
      for (const r of regions)
        expect(inside(r, viewport), `${r.id} inside the ${size.name} window`).toBe(true);
      for (let i = 0; i < regions.length; i++)
        for (let j = i + 1; j < regions.length; j++)
          expect(overlap(regions[i], regions[j]), `${regions[i].id} overlaps ${regions[j].id} (${tab})`).toBe(
            0,
          );
      for (let i = 0; i < controls.length; i++) {
        const c = controls[i];
        expect(Math.round(c.h), `${c.id} height (${tab})`).toBeGreaterThanOrEqual(MIN_TARGET_PX);
        expect(Math.round(c.w), `${c.id} width (${tab})`).toBeGreaterThanOrEqual(MIN_TARGET_PX);
        for (let j = i + 1; j < controls.length; j++) {
          const d = controls[j];
          if (inside(c, d) || inside(d, c)) continue; // a button inside a clickable tile
          expect(overlap(c, d), `${c.id} overlaps ${d.id} (${tab})`).toBe(0);
        }
      }
      const tabs = controls.filter((c) => c.id.startsWith('tab-'));
      const tabTops = new Set(tabs.map((c) => Math.round(c.y)));
      // As many rows as the labels need, never more than four (a dozen tabs and more).
      expect(tabTops.size, 'rows of tabs').toBeGreaterThanOrEqual(1);
      expect(tabTops.size, 'rows of tabs').toBeLessThanOrEqual(4);
      // Every tab label is whole: none is wider than its button.
      type Sized = { scrollWidth: number; clientWidth: number; textContent: string | null };
      const clipped = await page
        .getByRole('tab')
        .evaluateAll((els) =>
          (els as unknown as Sized[])
            .filter((el) => el.scrollWidth > el.clientWidth)
            .map((el) => el.textContent),
        );
      expect(clipped, `tab labels cut off at ${size.name}`).toEqual([]);
      if (size.locale) await expect(page.locator('html')).toHaveAttribute('lang', size.locale);
      // Nothing in the side panel is cut off sideways (the PLC block table used to be).
      const overflowPx = await page
        .getByTestId('tab-body')
        .evaluate(
          (el) =>
            (el as unknown as { scrollWidth: number; clientWidth: number }).scrollWidth -
            (el as unknown as { clientWidth: number }).clientWidth,
        );
      expect(overflowPx, `${tab} panel wider than its column`).toBeLessThanOrEqual(0);
      report[tab] = { regions, controls: controls.length };
      if (tab === 'plc' && (await page.getByTestId('plc-block').count()) > 0)
        await page.getByTestId('plc-block').scrollIntoViewIfNeeded();
      if (tab === 'performance' || tab === 'plc')
        await page.screenshot({ path: screenshotPath(`ui-layout-${size.name}-${tab}.png`) });
    }
    writeResult(`ui-layout-${size.name}.json`, report);
  });
}
