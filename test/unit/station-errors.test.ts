import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeStationError,
  encodeIpcError,
  ERROR_CODES,
  errorPayload,
  refusalOf,
  StationError,
  type ErrorCode,
} from '../../src/shared/station-error';
import { BadRequestError, dispatch } from '../../src/main/station/dispatch';
import type { VisionStationApi } from '../../src/shared/api';
import { codedError, sourceError } from '../../src/main/station/station-errors';
import { SourceUriError } from '../../src/main/capture/source-uri';
import { SourceNotAllowedError } from '../../src/main/capture/source-policy';

// The renderer is its own TypeScript project (tsconfig.web.json); loaded at run time here.
const RENDERER = '../../src/renderer/src';
let i18n: {
  changeLanguage(lng: string): Promise<unknown>;
  getResourceBundle(lng: string, ns: string): Record<string, unknown>;
};
let translateError: (e: unknown) => string;
beforeAll(async () => {
  ({ default: i18n } = (await import(/* @vite-ignore */ `${RENDERER}/i18n`)) as { default: typeof i18n });
  ({ translateError } = (await import(/* @vite-ignore */ `${RENDERER}/error-text`)) as {
    translateError: typeof translateError;
  });
});

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];
const placeholders = (text: string): string[] => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('error codes and their translations', () => {
  for (const lng of ['en', 'ko'] as const)
    it(`every code has a ${lng} text using exactly its parameters`, () => {
      const errors = i18n.getResourceBundle(lng, 'translation').errors as Record<string, string>;
      for (const code of CODES) {
        expect(typeof errors[code], `${lng} errors.${code}`).toBe('string');
        expect(placeholders(errors[code]), `${lng} errors.${code}`).toEqual([...ERROR_CODES[code]].sort());
      }
      expect(Object.keys(errors).sort()).toEqual([...CODES].sort());
    });

  it('the Korean texts are Korean, not copies of the English ones', () => {
    const en = i18n.getResourceBundle('en', 'translation').errors as Record<string, string>;
    const ko = i18n.getResourceBundle('ko', 'translation').errors as Record<string, string>;
    for (const code of CODES) {
      expect(ko[code], code).not.toBe(en[code]);
      expect(ko[code], code).toMatch(/[\uac00-\ud7a3]/);
    }
  });
});

describe('coded errors on the way to the screen', () => {
  const bad = new StationError(
    'sourceUriInvalid',
    { uri: 'nonsense://camera', reason: 'unknown scheme' },
    'Invalid source "nonsense://camera": unknown scheme',
  );

  it('keeps the English message and carries code and parameters over the WebSocket', () => {
    const payload = errorPayload(bad);
    expect(payload).toEqual({
      error: 'Invalid source "nonsense://camera": unknown scheme',
      code: 'sourceUriInvalid',
      params: { uri: 'nonsense://camera', reason: 'unknown scheme' },
    });
    const received = refusalOf({ type: 'response', id: 3, ok: false, ...payload });
    expect(received.message).toBe('Invalid source "nonsense://camera": unknown scheme');
    expect(decodeStationError(received)).toEqual({
      message: 'Invalid source "nonsense://camera": unknown scheme',
      code: 'sourceUriInvalid',
      params: { uri: 'nonsense://camera', reason: 'unknown scheme' },
    });
    // An unknown code is only a message.
    expect(decodeStationError(refusalOf({ ok: false, error: 'x', code: 'nope' }))).toEqual({
      message: 'x',
      code: null,
      params: {},
    });
    expect(errorPayload(new Error('plain'))).toEqual({ error: 'plain' });
  });

  it('survives Electron IPC, which passes only the message with its own prefix', () => {
    const ipc = new Error(`Error invoking remote method 'vs:setSource': Error: ${encodeIpcError(bad)}`);
    expect(decodeStationError(ipc)).toEqual({
      message: 'Invalid source "nonsense://camera": unknown scheme',
      code: 'sourceUriInvalid',
      params: { uri: 'nonsense://camera', reason: 'unknown scheme' },
    });
    expect(encodeIpcError(new Error('plain'))).toBe('plain');
    expect(decodeStationError(new Error("Error invoking remote method 'vs:x': Error: plain"))).toEqual({
      message: 'plain',
      code: null,
      params: {},
    });
  });

  it('is shown in the screen language; uncoded messages as sent or by their known pattern', async () => {
    await i18n.changeLanguage('ko');
    expect(translateError(bad)).toBe('올바른 소스 주소가 아닙니다 "nonsense://camera": unknown scheme');
    expect(translateError(new Error('PLC sim not reachable: down'))).toBe('PLC sim에 연결할 수 없음: down');
    expect(translateError(new Error('something else'))).toBe('something else');
    await i18n.changeLanguage('en');
    expect(translateError(bad)).toBe('Not a valid source address "nonsense://camera": unknown scheme');
  });

  it('a failure the method did not code gets a headline naming the method, in the screen language', async () => {
    const api = {
      getRecipe: async () => {
        throw new Error('no recipe with id job-9');
      },
      setParams: async () => {
        throw new BadRequestError('setParams', 'confThreshold: too big');
      },
    } as unknown as VisionStationApi;
    const failed = await dispatch(api, 'getRecipe', [{ id: 'job-9' }]).catch((e: unknown) => e);
    expect(failed).toMatchObject({
      code: 'actionFailed',
      params: { method: 'getRecipe', reason: 'no recipe with id job-9' },
      message: 'no recipe with id job-9',
    });
    // A coded error keeps its own code.
    expect(await dispatch(api, 'setParams', [{ confThreshold: 0.5 }]).catch((e: unknown) => e)).toMatchObject(
      {
        code: 'requestInvalid',
      },
    );
    await i18n.changeLanguage('ko');
    expect(translateError(errorPayload(failed))).toBe(
      '스테이션이 이 작업을 하지 못했습니다(getRecipe): no recipe with id job-9',
    );
    await i18n.changeLanguage('en');
    expect(translateError(errorPayload(failed))).toBe(
      'The station could not do this (getRecipe): no recipe with id job-9',
    );
  });

  it('the station codes what it refuses', () => {
    expect(new BadRequestError('setParams', 'confThreshold: too big')).toMatchObject({
      code: 'requestInvalid',
      params: { method: 'setParams', issue: 'confThreshold: too big' },
      message: 'invalid setParams request: confThreshold: too big',
    });
    const uriError = sourceError('rtsp://u:pw@cam/x', new SourceUriError('rtsp://u:pw@cam/x', ['bad port']));
    expect(uriError).toMatchObject({
      code: 'sourceUriInvalid',
      params: { uri: 'rtsp://u:***@cam/x', reason: 'bad port' },
    });
    // The error keeps its class and message for the command line and callers that test them.
    expect(uriError).toBeInstanceOf(SourceUriError);
    expect(uriError.message).toBe('Invalid source "rtsp://u:***@cam/x": bad port');
    expect(
      sourceError('file:/x.mp4', new SourceNotAllowedError('file /x.mp4 is not available')),
    ).toMatchObject({
      code: 'sourceNotAllowed',
      params: { uri: 'file:/x.mp4', reason: 'file /x.mp4 is not available' },
      message: 'file /x.mp4 is not available',
    });
    expect(sourceError('synthetic:', new Error('no frame within 15 s'))).toMatchObject({
      code: 'sourceSwitchFailed',
      params: { uri: 'synthetic:', reason: 'no frame within 15 s' },
    });
    expect(codedError('modelSwapFailed', { name: 'n' }, new Error('boom'))).toMatchObject({
      code: 'modelSwapFailed',
      params: { name: 'n', reason: 'boom' },
      message: 'boom',
    });
  });
});
