import { useTranslation } from 'react-i18next';
import type { FrameMessage } from '../../../shared/api';
import { classColour, detectionCentre } from '../overlay';
import { useFormat } from '../format';

const MAX_ROWS = 200;

function Swatch({ classId }: { classId: number }) {
  return <span className="swatch" style={{ background: classColour(classId) }} />;
}

export function DetectionTable({ frame, showTracks }: { frame: FrameMessage | null; showTracks: boolean }) {
  const { t } = useTranslation();
  const f = useFormat();
  const rows = frame?.detections.slice(0, MAX_ROWS) ?? [];
  return (
    <table className="data" data-testid="detection-table">
      <thead>
        <tr>
          <th>#</th>
          <th>{t('table.class')}</th>
          <th className="num">{t('table.score')}</th>
          <th className="num">{t('table.x')}</th>
          <th className="num">{t('table.y')}</th>
          <th className="num">{t('table.width')}</th>
          <th className="num">{t('table.height')}</th>
          <th className="num">{t('table.angle')}</th>
          {showTracks && <th className="num">{t('table.track')}</th>}
        </tr>
      </thead>
      <tbody>
        {rows.map((d, i) => {
          // With a calibration, the millimetres the PLC receives; otherwise source pixels.
          const mm = frame?.placementsMm?.[i];
          const [cx, cy] = mm ? [mm.x, mm.y] : detectionCentre(d);
          // A rotated box is measured along its own sides, as the PLC receives it.
          const w = mm ? mm.width : (d.obb?.widthPx ?? d.box[2] - d.box[0]);
          const h = mm ? mm.height : (d.obb?.heightPx ?? d.box[3] - d.box[1]);
          const angleDeg = mm && (d.mask || d.obb) ? mm.angleDeg : (d.mask?.angleDeg ?? d.obb?.angleDeg);
          const digits = mm ? 1 : 0;
          return (
            <tr key={i} data-testid="detection-row">
              <td>{i + 1}</td>
              <td>
                <Swatch classId={d.classId} />
                {d.className}
              </td>
              <td className="num">{f.num(d.score, 2)}</td>
              <td className="num">{f.num(cx, digits)}</td>
              <td className="num">{f.num(cy, digits)}</td>
              <td className="num">{f.num(w, digits)}</td>
              <td className="num">{f.num(h, digits)}</td>
              <td className="num">{angleDeg !== undefined ? `${f.num(angleDeg, 1)}°` : '–'}</td>
              {showTracks && (
                <td className="num">{d.trackId !== undefined && d.trackId >= 0 ? d.trackId : '–'}</td>
              )}
            </tr>
          );
        })}
        {rows.length === 0 && (
          <tr>
            <td colSpan={showTracks ? 9 : 8} className="empty">
              {frame ? t('table.nothing') : t('live.waiting')}
            </td>
          </tr>
        )}
      </tbody>
      <caption>{frame?.placementsMm ? t('table.unitsMm') : t('table.unitsPx')}</caption>
    </table>
  );
}

export function SegmentationTable({
  frame,
  showTracks,
}: {
  frame: FrameMessage | null;
  showTracks: boolean;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const rows = (frame?.detections ?? []).filter((d) => d.mask).slice(0, MAX_ROWS);
  return (
    <table className="data" data-testid="segmentation-table">
      <thead>
        <tr>
          <th>#</th>
          <th>{t('table.class')}</th>
          <th className="num">{t('table.score')}</th>
          <th className="num">{t('table.area')}</th>
          <th className="num">{t('table.angle')}</th>
          <th className="num">{t('table.x')}</th>
          <th className="num">{t('table.y')}</th>
          {showTracks && <th className="num">{t('table.track')}</th>}
        </tr>
      </thead>
      <tbody>
        {rows.map((d, i) => (
          <tr key={i} data-testid="segmentation-row">
            <td>{i + 1}</td>
            <td>
              <Swatch classId={d.classId} />
              {d.className}
            </td>
            <td className="num">{f.num(d.score, 2)}</td>
            <td className="num">{f.int(d.mask!.areaPx)} px²</td>
            <td className="num">{f.num(d.mask!.angleDeg, 1)}°</td>
            <td className="num">{f.num(d.mask!.centroid[0], 0)}</td>
            <td className="num">{f.num(d.mask!.centroid[1], 0)}</td>
            {showTracks && (
              <td className="num">{d.trackId !== undefined && d.trackId >= 0 ? d.trackId : '–'}</td>
            )}
          </tr>
        ))}
        {rows.length === 0 && (
          <tr>
            <td colSpan={showTracks ? 8 : 7} className="empty">
              {frame ? t('table.noMasks') : t('live.waiting')}
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
