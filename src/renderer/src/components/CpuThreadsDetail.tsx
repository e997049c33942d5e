import { useTranslation } from 'react-i18next';
import type { CpuThreadChoice } from '../../../shared/detection';

/**
 * The model's CPU threads and spinning, how they were chosen, the timings behind the choice, and
 * how many frames run at once (each in its own session with those threads).
 */
export function CpuThreadsDetail({
  threads,
  parallelFrames,
}: {
  threads: CpuThreadChoice;
  parallelFrames: number;
}) {
  const { t } = useTranslation();
  const spin = (on: boolean): string => t(on ? 'model.spinning' : 'model.noSpinning');
  return (
    <>
      <dt>{t('model.cpuThreads')}</dt>
      <dd data-testid="model-cpu-threads">
        {threads.intraOpThreads} · {spin(threads.spinning)} · {t(`model.threadsChosenBy.${threads.chosenBy}`)}
        {threads.trials.map((x) => (
          <div key={`${x.intraOpThreads}-${x.spinning}`} className="muted small">
            {t('model.threadTrial', { n: x.intraOpThreads, spin: spin(x.spinning), fps: x.fps })}
          </div>
        ))}
      </dd>
      <dt>{t('model.parallelFrames')}</dt>
      <dd data-testid="model-parallel-frames" data-value={parallelFrames}>
        {parallelFrames > 1 ? t('model.parallelFramesDetail', { n: parallelFrames }) : parallelFrames}
      </dd>
    </>
  );
}
