/**
 * The camera editor's form: one additional camera as text fields, turned into the settings entry
 * setCameras takes, and checked for the mistakes a person makes typing it. The station checks
 * everything again (PLC overlaps, source policy, model files); this only spares a round trip and
 * says which field is wrong. Fields the form does not show (zones, lines, class limits...) are
 * carried over from the entry being edited untouched.
 */
import type { CameraSetting } from '../../shared/api';

/** The model select's value for "the model the main camera runs now". */
export const SAME_AS_MAIN = '@main';
export const CLASSIC = 'classic';
/** The main camera's name: no additional camera may take it. */
export const MAIN_CAMERA_NAME = 'main';
/** One fewer than the station's MAX_CAMERAS (the main camera is one of them). */
export const MAX_EXTRA_CAMERAS = 15;

export interface CameraForm {
  name: string;
  source: string;
  /** A library id (`classic` or an .onnx path), or SAME_AS_MAIN. */
  model: string;
  /** Empty: the main camera's threshold. */
  conf: string;
  iou: string;
  track: boolean;
  /** Empty: no PLC. */
  plc: string;
  /** Empty: no serial port. */
  serial: string;
}

export type FormField = keyof CameraForm;

/** A problem with one field, as an i18n key under `cameraEditor.problem` and its parameters. */
export interface FormProblem {
  field: FormField;
  key: string;
  params?: Record<string, string | number>;
}

export function emptyForm(mainModelId: string | null): CameraForm {
  return {
    name: '',
    source: '',
    model: mainModelId ? SAME_AS_MAIN : CLASSIC,
    conf: '',
    iou: '',
    track: false,
    plc: '',
    serial: '',
  };
}

const numberText = (v: unknown): string => (typeof v === 'number' ? String(v) : '');
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

export function formFromSetting(s: CameraSetting): CameraForm {
  return {
    name: s.name,
    source: s.source,
    // A saved entry without a model runs the classic detector (the station's rule).
    model: text(s.model) || CLASSIC,
    conf: numberText(s.conf),
    iou: numberText(s.iou),
    track: s.track === true,
    plc: text(s.plc),
    serial: text(s.serial),
  };
}

const NAME_RE = /^[A-Za-z0-9_.-]{1,32}$/;
const NETWORK = ['rtsp', 'rtsps', 'tcp', 'udp', 'http', 'https'];
const LOCAL = ['file', 'images', 'synthetic', 'v4l2', 'dshow', 'avfoundation'];

/** A threshold field: empty (null) or a number in [0, 1]; undefined when it is neither. */
function threshold(v: string): number | null | undefined {
  // A decimal comma is how half the plants write 0.5.
  const t = v.trim().replace(',', '.');
  if (t === '') return null;
  // Number('') and Number(' ') are 0: only after the empty case is Number safe here.
  const n = Number(t);
  return Number.isFinite(n) && n >= 0 && n <= 1 ? n : undefined;
}

function sourceProblem(source: string): FormProblem | null {
  const s = source.trim();
  if (s === '') return { field: 'source', key: 'sourceRequired' };
  const m = /^([a-z0-9]+):(.*)$/i.exec(s);
  const scheme = m?.[1]?.toLowerCase() ?? '';
  if (!m || (!NETWORK.includes(scheme) && !LOCAL.includes(scheme)))
    return { field: 'source', key: 'sourceScheme' };
  if (NETWORK.includes(scheme) && !/^\/\/[^/?#]+/.test(m[2]!))
    return { field: 'source', key: 'sourceHost', params: { scheme } };
  if ((scheme === 'file' || scheme === 'images') && m[2]!.replace(/^\/\//, '').trim() === '')
    return { field: 'source', key: 'sourcePath', params: { scheme } };
  return null;
}

/**
 * What is wrong with the form, first problem of each field, in the form's order. `otherNames` are
 * the names of the list's other cameras; `linesKept` is whether the edited entry has counting
 * lines (they need tracking).
 */
export function validateForm(
  form: CameraForm,
  otherNames: readonly string[],
  linesKept = false,
): FormProblem[] {
  const out: FormProblem[] = [];
  const name = form.name.trim();
  if (!NAME_RE.test(name)) out.push({ field: 'name', key: 'name' });
  else if (name === MAIN_CAMERA_NAME) out.push({ field: 'name', key: 'nameMain' });
  else if (otherNames.includes(name)) out.push({ field: 'name', key: 'nameTaken', params: { name } });
  const src = sourceProblem(form.source);
  if (src) out.push(src);
  if (form.model.trim() === '') out.push({ field: 'model', key: 'model' });
  if (threshold(form.conf) === undefined) out.push({ field: 'conf', key: 'threshold' });
  if (threshold(form.iou) === undefined) out.push({ field: 'iou', key: 'threshold' });
  if (linesKept && !form.track) out.push({ field: 'track', key: 'linesNeedTrack' });
  const plc = form.plc.trim();
  if (plc !== '') {
    if (plc === 'sim') out.push({ field: 'plc', key: 'plcSim' });
    else if (!/^s7:\/\/[^/?#]+/i.test(plc)) out.push({ field: 'plc', key: 'plcUri' });
    else if (!/[?&]db=\d+(&|$)/.test(plc)) out.push({ field: 'plc', key: 'plcDb' });
  }
  const serial = form.serial.trim();
  if (serial !== '' && !/^[^?]+\?(.*&)?baud=\d+(&|$)/.test(serial))
    out.push({ field: 'serial', key: 'serial' });
  return out;
}

/**
 * The settings entry of a valid form: `base` (the entry being edited, null for a new camera) with
 * the form's fields in place; an empty optional field removes it. SAME_AS_MAIN becomes the main
 * camera's model now (`mainModelId`; the station has no "follow the main camera" setting).
 */
export function settingFromForm(
  form: CameraForm,
  base: CameraSetting | null,
  mainModelId: string | null,
): CameraSetting {
  const out: CameraSetting = { ...(base ?? {}), name: form.name.trim(), source: form.source.trim() };
  const model = form.model === SAME_AS_MAIN ? (mainModelId ?? CLASSIC) : form.model.trim();
  const set = (key: string, value: unknown): void => {
    if (value === null || value === undefined || value === '') delete out[key];
    else out[key] = value;
  };
  set('model', model);
  set('conf', threshold(form.conf));
  set('iou', threshold(form.iou));
  out.track = form.track;
  set('plc', form.plc.trim());
  set('serial', form.serial.trim());
  return out;
}

/** Whether two lists of entries say the same (key order aside): the draft against what is applied. */
export function sameSettings(a: readonly CameraSetting[], b: readonly CameraSetting[]): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .filter(([, x]) => x !== undefined)
              .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
              .map(([k, x]) => [k, canon(x)]),
          )
        : v;
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

/** The index in the list that the station's refusal names (`cameras[1] ("b").plc: ...`), or null. */
export function refusedIndex(message: string, length: number): number | null {
  const m = /cameras\[(\d+)\]/.exec(message);
  if (!m) return null;
  const i = Number(m[1]);
  return i < length ? i : null;
}
