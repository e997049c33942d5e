import type { FrameMessage } from '../../../shared/api';
import { DEFAULT_CLASS_MAP_STYLE } from '../../../shared/overlay-style';
import type { SemanticViewOptions } from '../overlay-extra';
import { SemanticLegend } from './SemanticLegend';

export const DEFAULT_SEMANTIC_VIEW: SemanticViewOptions = {
  headIndex: 0,
  opacity: DEFAULT_CLASS_MAP_STYLE.opacity,
  hiddenClassIds: DEFAULT_CLASS_MAP_STYLE.hiddenClassIds,
};

/**
 * The semantic part of the segmentation view under the picture: head selector, overlay opacity and
 * the legend of the shown head, with the area in mm² per class when the station is calibrated.
 */
export function SemanticPanel({
  frame,
  options,
  onChange,
}: {
  frame: FrameMessage;
  options: SemanticViewOptions;
  onChange: (next: SemanticViewOptions) => void;
}) {
  const seg = frame.segmentation ?? null;
  const heads = seg?.heads ?? [];
  const headIndex = Math.max(0, Math.min(options.headIndex, heads.length - 1));
  const areas = frame.semanticAreasMm2?.[headIndex];
  const classes = heads[headIndex]?.classes ?? [];
  const areaMm2Of = areas
    ? (classId: number): number | null => {
        const k = classes.findIndex((c) => c.classId === classId);
        return k >= 0 ? (areas[k] ?? null) : null;
      }
    : undefined;
  return (
    <SemanticLegend
      segmentation={seg}
      headIndex={headIndex}
      onHeadChange={(i) => onChange({ ...options, headIndex: i })}
      opacity={options.opacity}
      onOpacityChange={(opacity) => onChange({ ...options, opacity })}
      hiddenClassIds={options.hiddenClassIds}
      {...(areaMm2Of ? { areaMm2Of } : {})}
    />
  );
}
