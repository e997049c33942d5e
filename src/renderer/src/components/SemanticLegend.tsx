import { useTranslation } from 'react-i18next';
import type { SemanticSegmentation } from '../../../shared/detection';
import { useFormat } from '../format';
import { legendEntries } from '../overlay-extra';

export interface SemanticLegendProps {
  segmentation: SemanticSegmentation | null;
  /** Index into `segmentation.heads` shown (models such as TwinLiteNet have several). */
  headIndex: number;
  onHeadChange: (index: number) => void;
  /** 0..1 */
  opacity: number;
  /** Classes the overlay leaves transparent (see `ClassMapStyle.hiddenClassIds`). */
  hiddenClassIds?: readonly number[];
  onOpacityChange: (opacity: number) => void;
  /** With a calibration: a class's area on the calibrated plane in mm² (null: unknown). */
  areaMm2Of?: (classId: number) => number | null;
}

/**
 * Legend of the semantic overlay: head selector, opacity, and per class its colour, share of the
 * picture and area in pixels (and mm² when calibrated). Colours are those of `drawClassMap`.
 */
export function SemanticLegend(props: SemanticLegendProps) {
  const { t } = useTranslation();
  const f = useFormat();
  const heads = props.segmentation?.heads ?? [];
  const head = heads[Math.min(props.headIndex, heads.length - 1)];
  if (!head) return <p className="muted">{t('semantic.nothing')}</p>;
  const rows = legendEntries(head, props.hiddenClassIds);
  return (
    <div className="semantic-legend" data-testid="semantic-legend">
      {heads.length > 1 && (
        <label>
          {t('semantic.head')}{' '}
          <select
            value={Math.min(props.headIndex, heads.length - 1)}
            onChange={(e) => props.onHeadChange(Number(e.target.value))}
            data-testid="semantic-head"
          >
            {heads.map((h, i) => (
              <option key={h.name} value={i}>
                {h.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        {t('semantic.opacity')}{' '}
        <input
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={props.opacity}
          onChange={(e) => props.onOpacityChange(Number(e.target.value))}
          data-testid="semantic-opacity"
        />
      </label>
      <table className="data">
        <thead>
          <tr>
            <th>{t('semantic.class')}</th>
            <th className="num">{t('semantic.share')}</th>
            <th className="num">{t('semantic.pixels')}</th>
            {props.areaMm2Of && <th className="num">{t('semantic.areaMm2')}</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.classId} data-testid="semantic-row">
              <td data-testid="semantic-class">
                <span className="swatch" style={{ background: r.colour }} />
                {r.className}
              </td>
              <td className="num" data-testid="semantic-share">
                {f.pct(r.fraction)}
              </td>
              <td className="num">{f.int(r.pixels)}</td>
              {props.areaMm2Of && (
                <td className="num" data-testid="semantic-mm2">
                  {f.num(props.areaMm2Of(r.classId), 0)}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
