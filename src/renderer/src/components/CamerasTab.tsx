/**
 * The Cameras tab: a grid of every camera of the station (preview refreshed about once a second,
 * name, state colour, fps) and the chosen camera shown large with its figures.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CameraInfo } from '../../../shared/api';
import { useCameras } from '../cameras-store';
import { CameraEditor } from './CameraEditor';
import { CameraPreviewCanvas } from './CameraPreviewCanvas';
import { SOURCE_LEVEL, PLC_LEVEL } from './StatusBar';
import { CameraRecipeLabel } from './CameraRecipes';

// The picture with that frame's objects drawn on it (CameraPreviewCanvas.tsx).
const CameraImage = CameraPreviewCanvas;

function CameraTile({
  camera,
  chosen,
  onChoose,
}: {
  camera: CameraInfo;
  chosen: boolean;
  onChoose: () => void;
}) {
  const { t } = useTranslation();
  const level = SOURCE_LEVEL[camera.state];
  return (
    <button
      className={`tile level-${level} clickable`}
      data-testid={`camera-tile-${camera.name}`}
      data-state={camera.state}
      aria-pressed={chosen}
      onClick={onChoose}
      title={camera.reason ?? undefined}
      style={{
        minHeight: 44,
        padding: 6,
        textAlign: 'left',
        outline: chosen ? '2px solid currentColor' : undefined,
      }}
    >
      <CameraImage name={camera.name} />
      <div className="row-between" style={{ marginTop: 4, flexWrap: 'wrap', gap: 4 }}>
        <strong>{camera.name}</strong>
        <span className={`pill level-${level}`}>{t(`sourceState.${camera.state}`)}</span>
      </div>
      <div className="small muted">{t('cameras.fps', { fps: camera.fps.toFixed(1) })}</div>
      <CameraRecipeLabel camera={camera} />
    </button>
  );
}

function CameraDetails({ camera }: { camera: CameraInfo }) {
  const { t } = useTranslation();
  return (
    <section data-testid="camera-selected" data-camera={camera.name}>
      <h3>{camera.name}</h3>
      <CameraImage name={camera.name} large />
      <dl className="details">
        <dt>{t('cameras.state')}</dt>
        <dd>
          <span className={`pill level-${SOURCE_LEVEL[camera.state]}`}>
            {t(`sourceState.${camera.state}`)}
          </span>
          {camera.reason && <span className="muted small"> {camera.reason}</span>}
        </dd>
        <dt>{t('cameras.source')}</dt>
        <dd className="mono">{camera.source}</dd>
        <dt>{t('cameras.model')}</dt>
        <dd>{camera.model}</dd>
        <dt>{t('cameras.figures')}</dt>
        <dd>
          {t('cameras.fps', { fps: camera.fps.toFixed(1) })} ·{' '}
          {t('cameras.p50', { ms: camera.latencyP50Ms === null ? '–' : camera.latencyP50Ms.toFixed(0) })} ·{' '}
          {t('cameras.dropped', { n: camera.dropped })}
        </dd>
        <dt>{t('cameras.plc')}</dt>
        <dd>
          {camera.plc ? (
            <>
              <span className={`pill level-${PLC_LEVEL[camera.plc.state]}`}>{camera.plc.state}</span>{' '}
              <span className="mono small">{camera.plc.endpoint}</span>
            </>
          ) : (
            <span className="muted">{t('cameras.noPlc')}</span>
          )}
        </dd>
      </dl>
    </section>
  );
}

export function CamerasTab() {
  const { t } = useTranslation();
  const cameras = useCameras();
  const [chosen, setChosen] = useState<string>('main');
  const camera = cameras.find((c) => c.name === chosen) ?? cameras[0] ?? null;
  return (
    <div className="panel" data-testid="cameras-panel">
      <div className="row-between">
        <h3>{t('cameras.grid', { n: cameras.length })}</h3>
        <label className="small">
          {t('cameras.select')}{' '}
          <select
            data-testid="camera-select"
            value={camera?.name ?? ''}
            onChange={(e) => setChosen(e.target.value)}
            style={{ minHeight: 44 }}
          >
            {cameras.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div
        data-testid="camera-grid"
        style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(150px, 1fr))', gap: 8 }}
      >
        {cameras.map((c) => (
          <CameraTile
            key={c.name}
            camera={c}
            chosen={c.name === camera?.name}
            onChoose={() => setChosen(c.name)}
          />
        ))}
      </div>
      {camera && <CameraDetails camera={camera} />}
      <CameraEditor />
    </div>
  );
}
