/**
 * Electron shell, kept thin: one secure window, IPC handlers generated from the shared API, and
 * nothing else. Everything it calls runs (and is tested) in plain Node.
 */
import { app, BrowserWindow, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { API_METHODS, ipcChannel, type ApiMethod } from '../shared/api';
import { API_ARGS } from '../shared/api-schemas';
import { createAppApi } from './app-api';
import { InferenceEngine } from './inference/engine';
import { defaultModelSpec } from './models/default-model';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const rendererIndex = join(__dirname, '..', 'renderer', 'index.html');
const rendererUrl = process.env['ELECTRON_RENDERER_URL'];

/** Only our own page may call the API. */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  if (rendererUrl) return url.startsWith(rendererUrl);
  return url === pathToFileURL(rendererIndex).href;
}

function hardenContents(): void {
  app.on('web-contents-created', (_e, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      // External links open in the system browser, never inside the app.
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (e) => e.preventDefault());
    contents.on('will-attach-webview', (e) => e.preventDefault());
  });
}

async function main(): Promise<void> {
  hardenContents();
  await app.whenReady();
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  const engine = new InferenceEngine({ workerPath: join(__dirname, 'inference-worker.js') });
  const api = createAppApi({ version: app.getVersion(), engine });
  engine.load(defaultModelSpec()).catch((e: unknown) => console.error(`vision-station: no model loaded: ${(e as Error).message}`));

  const handlers: Record<ApiMethod, (...args: never[]) => Promise<unknown>> = {
    getAppInfo: () => api.getAppInfo('electron-ipc'),
    detectImage: (req) => api.detectImage(req),
  };
  for (const method of API_METHODS) {
    ipcMain.handle(ipcChannel(method), async (event, ...args: unknown[]) => {
      if (!isTrustedSender(event)) throw new Error('request from an untrusted page refused');
      const parsed = API_ARGS[method].safeParse(args);
      if (!parsed.success) throw new Error(`invalid ${method} request: ${parsed.error.issues[0]?.message}`);
      return (handlers[method] as (...a: unknown[]) => Promise<unknown>)(...(parsed.data as unknown[]));
    });
  }

  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Vision Station',
    show: false,
    webPreferences: {
      preload: join(__dirname, '..', 'preload', 'index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  win.once('ready-to-show', () => win.show());
  if (rendererUrl) await win.loadURL(rendererUrl);
  else await win.loadFile(rendererIndex);

  app.on('window-all-closed', () => {
    void engine.close().finally(() => app.quit());
  });
}

main().catch((e: unknown) => {
  console.error(e);
  app.exit(1);
});
