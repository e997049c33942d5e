import { useEffect, useState } from 'react';
import type { AppInfo, VisionStationApi } from '../../shared/api';

export function App({ api }: { api: VisionStationApi | null }) {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!api) return;
    api.getAppInfo().then(setInfo, (e: unknown) => setError(String(e)));
  }, [api]);
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 24 }}>
      <h1>Vision Station</h1>
      <p data-testid="backend">
        Backend: {info ? `${info.backend} (version ${info.version})` : api ? 'connecting…' : 'none (no API available)'}
      </p>
      {error && <p role="alert">{error}</p>}
    </main>
  );
}
