/**
 * Recipes per camera in the UI: which camera the Setup tab's recipe switch acts on (shown only
 * when the station has cameras beside its main one), and the recipe a camera runs, for its tile.
 */
import { useTranslation } from 'react-i18next';
import type { CameraInfo } from '../../../shared/api';

/** The main camera's name in listCameras. */
export const MAIN_CAMERA_NAME = 'main';

/** The camera a recipe switch targets: the chosen one while it exists, else the main camera. */
export function recipeCamera(cameras: readonly CameraInfo[], chosen: string): CameraInfo | null {
  return cameras.find((c) => c.name === chosen) ?? cameras.find((c) => c.name === MAIN_CAMERA_NAME) ?? null;
}

/** The activateRecipe request for a camera: the main one is the default and is not named. */
export function activateRequest(id: string, camera: string): { id: string; camera?: string } {
  return camera === MAIN_CAMERA_NAME ? { id } : { id, camera };
}

export function CameraRecipeSelector(props: {
  cameras: readonly CameraInfo[];
  value: string;
  onChange: (camera: string) => void;
}) {
  const { t } = useTranslation();
  if (props.cameras.length <= 1) return null;
  return (
    <label
      className="small"
      style={{ display: 'inline-flex', alignItems: 'center', gap: 8, marginBottom: 8 }}
    >
      {t('commission.recipeCamera')}
      <select
        data-testid="recipe-camera-select"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        style={{ minHeight: 44 }}
      >
        {props.cameras.map((c) => (
          <option key={c.name} value={c.name}>
            {c.recipe ? `${c.name} — ${c.recipe}` : c.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** One line under a camera tile: the recipe it runs (nothing when none). */
export function CameraRecipeLabel({ camera }: { camera: CameraInfo }) {
  const { t } = useTranslation();
  if (!camera.recipe) return null;
  return (
    <div className="small muted" data-testid={`camera-recipe-${camera.name}`}>
      {t('commission.cameraRecipe', { name: camera.recipe })}
    </div>
  );
}
