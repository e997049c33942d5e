/**
 * The station's cameras as the UI knows them: listCameras polled at a low rate (the list is small;
 * its figures change every second), and one camera's preview polled the same way. Each poll waits
 * for the previous answer, so a slow link never piles requests up.
 */
import { useEffect, useState } from 'react';
import type { CameraInfo, CameraPreview } from '../../shared/api';
import { useStation } from './station-state';

export const CAMERAS_POLL_MS = 2000;
export const PREVIEW_POLL_MS = 1000;

function usePoll<T>(fetch: (() => Promise<T>) | null, periodMs: number, initial: T): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    if (!fetch) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const once = (): void => {
      fetch()
        .then(
          (v) => {
            if (!stopped) setValue(v);
          },
          () => undefined, // not allowed, or the link is down: keep the last known value
        )
        .finally(() => {
          if (!stopped) timer = setTimeout(once, periodMs);
        });
    };
    once();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [fetch, periodMs]);
  return value;
}

/** Every camera, the main one first; empty until the first answer. */
export function useCameras(): CameraInfo[] {
  const { client, view } = useStation();
  const open = view.connection.kind === 'open';
  const [fetch, setFetch] = useState<(() => Promise<CameraInfo[]>) | null>(null);
  useEffect(() => setFetch(open ? () => () => client.listCameras() : null), [client, open]);
  return usePoll(fetch, CAMERAS_POLL_MS, []);
}

/** The newest preview of one camera as an image URL, or null before its first frame. */
export function useCameraPreview(name: string, periodMs = PREVIEW_POLL_MS): string | null {
  const { client, view } = useStation();
  const open = view.connection.kind === 'open';
  const [fetch, setFetch] = useState<(() => Promise<string | null>) | null>(null);
  useEffect(
    () =>
      setFetch(
        open ? () => () => client.getCameraPreview({ name }).then((p) => p?.jpegDataUrl ?? null) : null,
      ),
    [client, open, name],
  );
  return usePoll(fetch, periodMs, null);
}

/** The newest preview of one camera with its objects and frame size, or null before its first frame. */
export function useCameraPreviewData(name: string, periodMs = PREVIEW_POLL_MS): CameraPreview | null {
  const { client, view } = useStation();
  const open = view.connection.kind === 'open';
  const [fetch, setFetch] = useState<(() => Promise<CameraPreview | null>) | null>(null);
  useEffect(
    () => setFetch(open ? () => () => client.getCameraPreview({ name }) : null),
    [client, open, name],
  );
  return usePoll(fetch, periodMs, null);
}
