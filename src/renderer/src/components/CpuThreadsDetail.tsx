import { useTranslation } from 'react-i18next';
import type { CpuThreadChoice } from '../../../shared/detection';

/** The model's CPU threads and spinning, how they were chosen, and the timings behind the choice. */
export function CpuThreadsDetail({ threads }: { threads: CpuThreadChoice }) {
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
    </>
  );
}
