/**
 * The Review tab: wires ReviewPanel to the station (recordings by id, frames, timeline, export),
 * plus switching the live recording on and off, re-running a recording with another model or
 * threshold (progress from `review` events, cancel), and comparing two result tracks. Re-runs and
 * comparisons run on the station in their own worker: the live line is not touched.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LibraryEntry } from '../../../shared/api';
import type {
  RecordingStatus,
  ReviewComparison,
  ReviewExportRequest,
  ReviewJobState,
  ReviewRecordingInfo,
} from '../../../shared/review';
import { useFormat } from '../format';
import { errorText } from '../hooks';
import { useStation } from '../station-state';
import { ReviewPanel } from './ReviewPanel';

/** The track shown when none is chosen: the live line's, else the newest. */
function defaultTrack(rec: ReviewRecordingInfo, wanted: string | null): string | null {
  return (
    rec.tracks.find((t) => t.name === wanted)?.name ??
    rec.tracks.find((t) => t.name === 'live')?.name ??
    rec.tracks.at(-1)?.name ??
    null
  );
}

export function ReviewTab() {
  const { t } = useTranslation();
  const { client } = useStation();
  const [list, setList] = useState<ReviewRecordingInfo[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [wantedTrack, setWantedTrack] = useState<string | null>(null);
  const [job, setJob] = useState<ReviewJobState | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(() => {
    client.listRecordings().then(setList, (e: unknown) => setError(errorText(e)));
  }, [client]);

  useEffect(() => {
    refresh();
    client.getRerun().then(setJob, () => undefined);
    return client.subscribe('review', (s) => {
      setJob(s);
      if (s.state !== 'running') refresh();
    });
  }, [client, refresh]);

  const rec = list.find((r) => r.path === selected) ?? null;
  const track = rec ? defaultTrack(rec, wantedTrack) : null;

  const loadTimeline = useCallback(
    (fromMs: number, toMs: number, buckets: number) =>
      client.getReviewTimeline({ recording: selected!, track: track!, fromMs, toMs, buckets }),
    [client, selected, track],
  );
  const loadFrame = useCallback(
    (timeMs: number, step: number) =>
      client.getReviewFrame({ recording: selected!, track: track!, timeMs, step }),
    [client, selected, track],
  );
  const onExport = useCallback(
    async (req: ReviewExportRequest) => {
      const r = await client.exportRecording({ ...req, recording: selected!, track: track! });
      return t('review.exported', {
        path: r.path,
        frames: r.frames,
        detections: r.detections,
      });
    },
    [client, selected, track, t],
  );

  return (
    <div className="panel" data-testid="review-tab">
      <LiveRecordingSwitch onChanged={refresh} />
      <div className="btn-group wrap">
        <select
          aria-label={t('review.recording')}
          value={selected ?? ''}
          onChange={(e) => {
            setSelected(e.target.value || null);
            setWantedTrack(null);
          }}
          data-testid="review-recording"
        >
          <option value="">{t('review.choose')}</option>
          {list.map((r) => (
            <option key={r.path} value={r.path}>
              {r.path} ({t('review.frames', { count: r.frames })})
            </option>
          ))}
        </select>
        <button onClick={refresh} data-testid="review-refresh">
          {t('review.refresh')}
        </button>
      </div>
      {error && (
        <div className="error-box" role="alert">
          {error}
        </div>
      )}
      {rec && track && (
        <ReviewPanel
          key={rec.path}
          recording={rec}
          track={track}
          onTrackChange={setWantedTrack}
          loadTimeline={loadTimeline}
          loadFrame={loadFrame}
          onExport={onExport}
        />
      )}
      {rec && !track && <p className="muted">{t('review.noTracks')}</p>}
      {rec && <RerunForm recording={rec} job={job} />}
      {rec && rec.tracks.length >= 2 && <CompareForm recording={rec} />}
    </div>
  );
}

function LiveRecordingSwitch({ onChanged }: { onChanged: () => void }) {
  const { t } = useTranslation();
  const { client } = useStation();
  const [status, setStatus] = useState<RecordingStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    client.getRecording().then(setStatus, (e: unknown) => setError(errorText(e)));
  }, [client]);
  if (!status) return error ? <p className="error-text">{error}</p> : null;
  return (
    <div className="row-between" data-testid="live-recording">
      <label className={status.enabled ? 'toggle on' : 'toggle'}>
        <input
          type="checkbox"
          checked={status.enabled}
          data-testid="live-recording-toggle"
          onChange={(e) => {
            setError(null);
            client.setRecording({ enabled: e.target.checked }).then(
              (s) => {
                setStatus(s);
                onChanged();
              },
              (err: unknown) => setError(errorText(err)),
            );
          }}
        />{' '}
        {t('review.recordLive')}
      </label>
      <span className="muted small">
        {status.stoppedBecause
          ? t('review.recordingStopped', { reason: status.stoppedBecause })
          : t('review.retention', { gb: status.maxGb, days: status.maxDays })}
      </span>
      {error && <span className="error-text">{error}</span>}
    </div>
  );
}

function RerunForm({ recording, job }: { recording: ReviewRecordingInfo; job: ReviewJobState | null }) {
  const { t } = useTranslation();
  const { client } = useStation();
  const [models, setModels] = useState<LibraryEntry[]>([]);
  const [modelId, setModelId] = useState('');
  const [conf, setConf] = useState(0.25);
  const [out, setOut] = useState(`rerun${recording.tracks.length + 1}`);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    client.listModels().then(
      (l) => {
        // Models that give boxes (instance masks too: the classic detector, -seg models).
        const usable = l.filter(
          (e) => e.error === null && (e.task === 'detect' || e.task === 'segment' || e.pending === true),
        );
        setModels(usable);
        // What the select shows first is what a re-run uses until another is chosen.
        setModelId((cur) => cur || usable[0]?.id || '');
      },
      (e: unknown) => setError(errorText(e)),
    );
  }, [client]);
  const running = job?.state === 'running';
  const mine = job?.recording === recording.path;
  return (
    <section data-testid="review-rerun">
      <h3>{t('review.rerun')}</h3>
      <div className="form-row">
        <label>
          {t('review.model')}
          <select value={modelId} onChange={(e) => setModelId(e.target.value)} data-testid="rerun-model">
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('review.conf')}
          <input
            className="text narrow"
            type="number"
            min={0}
            max={1}
            step={0.05}
            value={conf}
            onChange={(e) => setConf(Number(e.target.value))}
          />
        </label>
        <label>
          {t('review.out')}
          <input
            className="text narrow"
            value={out}
            onChange={(e) => setOut(e.target.value)}
            data-testid="rerun-out"
          />
        </label>
      </div>
      <div className="btn-group wrap">
        <button
          className="primary"
          disabled={running || modelId === ''}
          data-testid="rerun-start"
          onClick={() => {
            setError(null);
            client
              .startRerun({
                recording: recording.path,
                modelId,
                confThreshold: conf,
                iouThreshold: 0.45,
                out,
              })
              .catch((e: unknown) => setError(errorText(e)));
          }}
        >
          {t('review.start')}
        </button>
        {running && (
          <button onClick={() => void client.cancelRerun().catch((e: unknown) => setError(errorText(e)))}>
            {t('review.cancel')}
          </button>
        )}
      </div>
      {job && mine && job.state !== 'idle' && (
        <div data-testid="rerun-progress">
          <progress max={Math.max(1, job.total)} value={job.done} />{' '}
          {t(`review.job.${job.state}`, { track: job.track, done: job.done, total: job.total })}
          {job.error && <span className="error-text"> {job.error}</span>}
        </div>
      )}
      {error && <p className="error-text">{error}</p>}
    </section>
  );
}

function CompareForm({ recording }: { recording: ReviewRecordingInfo }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { client } = useStation();
  const names = recording.tracks.map((tr) => tr.name);
  const [a, setA] = useState(names[0]!);
  const [b, setB] = useState(names[1]!);
  const [result, setResult] = useState<ReviewComparison | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pick = (value: string, set: (v: string) => void, label: string, testId: string) => (
    <label>
      {label}
      <select value={value} onChange={(e) => set(e.target.value)} data-testid={testId}>
        {names.map((n) => (
          <option key={n}>{n}</option>
        ))}
      </select>
    </label>
  );
  return (
    <section data-testid="review-compare">
      <h3>{t('review.compare')}</h3>
      <div className="form-row">
        {pick(a, setA, 'A', 'compare-a')}
        {pick(b, setB, 'B', 'compare-b')}
        <button
          data-testid="compare-run"
          onClick={() => {
            setError(null);
            client
              .compareTracks({ recording: recording.path, a, b })
              .then(setResult, (e: unknown) => setError(errorText(e)));
          }}
        >
          {t('review.compareRun')}
        </button>
      </div>
      {error && <p className="error-text">{error}</p>}
      {result && (
        <>
          <p data-testid="compare-summary">
            {t('review.compareSummary', {
              different: result.framesDifferent,
              compared: result.framesCompared,
              fpsA: result.a.fps === null ? '–' : f.num(result.a.fps, 1),
              fpsB: result.b.fps === null ? '–' : f.num(result.b.fps, 1),
            })}
          </p>
          <table className="data">
            <thead>
              <tr>
                <th>{t('table.class')}</th>
                <th className="num">A</th>
                <th className="num">B</th>
                <th className="num">{t('review.onlyA')}</th>
                <th className="num">{t('review.onlyB')}</th>
                <th className="num">{t('review.classChanged')}</th>
                <th className="num">{t('review.moved')}</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(result.perClass).map(([cls, s]) => (
                <tr key={cls}>
                  <td>{cls}</td>
                  <td className="num">{s.countA}</td>
                  <td className="num">{s.countB}</td>
                  <td className="num">{s.onlyA}</td>
                  <td className="num">{s.onlyB}</td>
                  <td className="num">{s.classChangedFromA}</td>
                  <td className="num">{s.moved}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

export default ReviewTab;
