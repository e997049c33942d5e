/**
 * OPC UA server for SCADA and MES (node-opcua): station status, per-camera last results and
 * counters, the active recipe and a SwitchRecipe method. A ResultSink: `offer` only updates
 * variable values in memory; subscribed clients get them through node-opcua's own sampling.
 *
 * Address space (namespace 1, string node ids, documented in the README):
 *   VisionStation.Status.{Station, Online, Fps, ActiveAlarms, Model, StartedAt}
 *   VisionStation.Recipe.{ActiveSlot, ActiveModel, AvailableSlots, SwitchRecipe(Slot) → (Ok, Message)}
 *   VisionStation.Cameras.<camera>.LastResult.{FrameId, CaptureTime, Count, ClassIds, ClassNames,
 *     Scores, CenterXPx, CenterYPx, WidthPx, HeightPx, TrackIds}
 *   VisionStation.Cameras.<camera>.Counters.{Frames, Detections, ClassNames, ClassCounts}
 *
 * Security: `none` (commissioning: no encryption, any client) or `production` (Sign and
 * SignAndEncrypt with Basic256Sha256 / Aes128_Sha256_RsaOaep / Aes256_Sha256_RsaPss; only client
 * certificates in `<pkiDir>/trusted/certs` are accepted, unknown ones land in `<pkiDir>/rejected`
 * for an operator to move). The server creates its own self-signed certificate in `<pkiDir>/own`.
 */
import { hostname } from 'node:os';
import {
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  RegisterServerMethod,
  SecurityPolicy,
  StatusCodes,
  Variant,
  VariantArrayType,
  type ISessionContext,
  type Namespace,
  type UAObject,
  type UAVariable,
} from 'node-opcua';
import type { FrameResult } from '../../../shared/frame';
import { countResult, emptyCounters, type Counters } from '../../core/mqtt-topics';
import { opcUaResultView, perClassArrays } from '../../core/opcua-view';
import type { ResultSink } from '../../core/sink';

export type OpcUaSecurity = 'none' | 'production';

/** What the server needs of a result (FrameResult and the UI's FrameMessage both fit). */
export type OpcUaResultInput = Pick<FrameResult, 'frameId' | 'captureTimeMs' | 'detections' | 'modelName'>;

export interface RecipeSwitchResult {
  ok: boolean;
  message: string;
}

export interface OpcUaServerOptions {
  port: number;
  /** Interface to listen on; all interfaces when absent. */
  host?: string;
  security: OpcUaSecurity;
  /** Folder for the server certificate and the trusted / rejected client certificates. */
  pkiDir: string;
  station: string;
  cameras: readonly string[];
  /** Recipe slots that have a model configured. */
  recipeSlots: readonly number[];
  /** Called by the SwitchRecipe method; resolves when the recipe is active (or failed). */
  switchRecipe: (slot: number) => Promise<RecipeSwitchResult>;
  /** Longest a SwitchRecipe call may take before it answers BadTimeout. */
  switchTimeoutMs?: number;
  log: (line: string) => void;
}

const ROOT = 'VisionStation';

const scalar = (dataType: DataType, value: unknown): Variant => new Variant({ dataType, value });
const array = (dataType: DataType, value: unknown[]): Variant =>
  new Variant({ dataType, arrayType: VariantArrayType.Array, value });

export class StationOpcUaServer implements ResultSink {
  readonly name = 'opcua';
  private server: OPCUAServer | null = null;
  private certificates: OPCUACertificateManager | null = null;
  private readonly vars = new Map<string, UAVariable>();
  private readonly counters = new Map<string, Counters>();
  private activeSlot = 0;
  private activeModel = '';

  constructor(private readonly opts: OpcUaServerOptions) {
    for (const c of opts.cameras) this.counters.set(c, emptyCounters());
  }

  get endpointUrl(): string {
    return `opc.tcp://${this.opts.host ?? hostname()}:${this.opts.port}`;
  }

  /** Trust a client application certificate (DER), as an operator would by moving it to trusted/. */
  async trustClientCertificate(der: Buffer): Promise<void> {
    if (!this.certificates) throw new Error('OPC UA server not started');
    await this.certificates.trustCertificate(der);
  }

  async start(): Promise<void> {
    const production = this.opts.security === 'production';
    const certificateManager = new OPCUACertificateManager({
      rootFolder: this.opts.pkiDir,
      automaticallyAcceptUnknownCertificate: !production,
    });
    await certificateManager.initialize();
    this.certificates = certificateManager;
    const server = new OPCUAServer({
      port: this.opts.port,
      // Endpoints advertise the address clients were given, not only the machine's host name.
      ...(this.opts.host ? { host: this.opts.host, alternateHostname: [this.opts.host] } : {}),
      serverCertificateManager: certificateManager,
      securityModes: production
        ? [MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt]
        : [MessageSecurityMode.None],
      securityPolicies: production
        ? [
            SecurityPolicy.Basic256Sha256,
            SecurityPolicy.Aes128_Sha256_RsaOaep,
            SecurityPolicy.Aes256_Sha256_RsaPss,
          ]
        : [SecurityPolicy.None],
      allowAnonymous: true,
      // No registration with a discovery server: the station is addressed directly.
      registerServerMethod: RegisterServerMethod.HIDDEN,
      serverInfo: { applicationUri: `urn:vision-station:${this.opts.station}`, productUri: 'vision-station' },
      buildInfo: { productName: 'Vision Station', manufacturerName: 'Vision Station' },
      maxConnectionsPerEndpoint: 20,
    });
    this.server = server;
    try {
      await server.initialize();
      this.build(
        server.engine.addressSpace!.getOwnNamespace(),
        server.engine.addressSpace!.rootFolder.objects,
      );
      await server.start();
    } catch (e) {
      await this.close();
      throw new Error(`OPC UA server on port ${this.opts.port} could not start: ${(e as Error).message}`, {
        cause: e,
      });
    }
    this.opts.log(`OPC UA: listening on ${this.endpointUrl} (security ${this.opts.security})`);
  }

  offer(result: OpcUaResultInput, camera = this.opts.cameras[0]!): void {
    if (!this.server) return;
    const v = opcUaResultView(result);
    const p = `${ROOT}.Cameras.${camera}.LastResult`;
    this.set(`${p}.FrameId`, scalar(DataType.UInt32, v.frameId >>> 0));
    this.set(`${p}.CaptureTime`, scalar(DataType.DateTime, new Date(v.captureTimeMs)));
    this.set(`${p}.Count`, scalar(DataType.Int32, v.count));
    this.set(`${p}.ClassIds`, array(DataType.Int32, v.classIds));
    this.set(`${p}.ClassNames`, array(DataType.String, v.classNames));
    this.set(`${p}.Scores`, array(DataType.Double, v.scores));
    this.set(`${p}.CenterXPx`, array(DataType.Double, v.centerXPx));
    this.set(`${p}.CenterYPx`, array(DataType.Double, v.centerYPx));
    this.set(`${p}.WidthPx`, array(DataType.Double, v.widthPx));
    this.set(`${p}.HeightPx`, array(DataType.Double, v.heightPx));
    this.set(`${p}.TrackIds`, array(DataType.Int32, v.trackIds));
    const c = countResult(this.counters.get(camera) ?? emptyCounters(), result);
    this.counters.set(camera, c);
    const perClass = perClassArrays(c.perClass);
    const q = `${ROOT}.Cameras.${camera}.Counters`;
    this.set(`${q}.Frames`, scalar(DataType.UInt32, c.frames));
    this.set(`${q}.Detections`, scalar(DataType.UInt32, c.detections));
    this.set(`${q}.ClassNames`, array(DataType.String, perClass.names));
    this.set(`${q}.ClassCounts`, array(DataType.UInt32, perClass.counts));
    if (result.modelName !== this.activeModel) this.setModel(result.modelName);
  }

  setStatus(s: { fps?: number; alarms?: readonly string[]; online?: boolean }): void {
    if (s.fps !== undefined)
      this.set(`${ROOT}.Status.Fps`, scalar(DataType.Double, Number(s.fps.toFixed(2))));
    if (s.alarms) this.set(`${ROOT}.Status.ActiveAlarms`, array(DataType.String, [...s.alarms]));
    if (s.online !== undefined) this.set(`${ROOT}.Status.Online`, scalar(DataType.Boolean, s.online));
  }

  setModel(name: string): void {
    this.activeModel = name;
    this.set(`${ROOT}.Status.Model`, scalar(DataType.String, name));
    this.set(`${ROOT}.Recipe.ActiveModel`, scalar(DataType.String, name));
  }

  setActiveRecipe(slot: number): void {
    this.activeSlot = slot;
    this.set(`${ROOT}.Recipe.ActiveSlot`, scalar(DataType.Int32, slot));
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.vars.clear();
    await server?.shutdown(0).catch(() => undefined);
    await this.certificates?.dispose().catch(() => undefined);
    this.certificates = null;
  }

  private set(path: string, value: Variant): void {
    this.vars.get(path)?.setValueFromSource(value, StatusCodes.Good);
  }

  private build(ns: Namespace, objects: UAObject): void {
    const root = ns.addObject({ organizedBy: objects, browseName: ROOT, nodeId: `s=${ROOT}` });
    const folder = (parent: UAObject, name: string, path: string): UAObject =>
      ns.addObject({ componentOf: parent, browseName: name, nodeId: `s=${path}` });
    const variable = (
      parent: UAObject,
      path: string,
      name: string,
      initial: Variant,
      description: string,
    ): void => {
      const full = `${path}.${name}`;
      const v = ns.addVariable({
        componentOf: parent,
        browseName: name,
        nodeId: `s=${full}`,
        dataType: initial.dataType,
        valueRank: initial.arrayType === VariantArrayType.Array ? 1 : -1,
        description,
        minimumSamplingInterval: 100,
      });
      v.setValueFromSource(initial, StatusCodes.Good);
      this.vars.set(full, v);
    };

    const statusPath = `${ROOT}.Status`;
    const status = folder(root, 'Status', statusPath);
    variable(status, statusPath, 'Station', scalar(DataType.String, this.opts.station), 'Station name');
    variable(status, statusPath, 'Online', scalar(DataType.Boolean, true), 'False while the station stops');
    variable(status, statusPath, 'Fps', scalar(DataType.Double, 0), 'Processed frames per second');
    variable(
      status,
      statusPath,
      'ActiveAlarms',
      array(DataType.String, []),
      'Kinds of the alarms active now',
    );
    variable(status, statusPath, 'Model', scalar(DataType.String, this.activeModel), 'Model in use');
    variable(
      status,
      statusPath,
      'StartedAt',
      scalar(DataType.DateTime, new Date()),
      'When the station started',
    );

    const recipePath = `${ROOT}.Recipe`;
    const recipe = folder(root, 'Recipe', recipePath);
    variable(
      recipe,
      recipePath,
      'ActiveSlot',
      scalar(DataType.Int32, this.activeSlot),
      'Recipe slot in use (0: none)',
    );
    variable(recipe, recipePath, 'ActiveModel', scalar(DataType.String, this.activeModel), 'Model in use');
    variable(
      recipe,
      recipePath,
      'AvailableSlots',
      array(DataType.Int32, [...this.opts.recipeSlots]),
      'Slots that have a model configured',
    );
    const method = ns.addMethod(recipe, {
      browseName: 'SwitchRecipe',
      nodeId: `s=${recipePath}.SwitchRecipe`,
      inputArguments: [{ name: 'Slot', dataType: DataType.Int32, description: 'Recipe slot (>= 1)' }],
      outputArguments: [
        { name: 'Ok', dataType: DataType.Boolean, description: 'True once the recipe is active' },
        { name: 'Message', dataType: DataType.String, description: 'What happened, for a person' },
      ],
    });
    // node-opcua tells the promise form from the callback form by arity: keep both parameters.
    method.bindMethod(async (inputs: Variant[], _context: ISessionContext) => {
      const slot = Number(inputs[0]?.value);
      const answer = (r: RecipeSwitchResult) => ({
        statusCode: StatusCodes.Good,
        outputArguments: [scalar(DataType.Boolean, r.ok), scalar(DataType.String, r.message)],
      });
      if (!Number.isInteger(slot) || slot < 1) return { statusCode: StatusCodes.BadInvalidArgument };
      const timeoutMs = this.opts.switchTimeoutMs ?? 30_000;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
      try {
        const r = await Promise.race([
          this.opts.switchRecipe(slot).catch((e: unknown) => ({
            ok: false,
            message: (e as Error).message,
          })),
          timeout,
        ]);
        if (r === null) return { statusCode: StatusCodes.BadTimeout };
        if (r.ok) this.setActiveRecipe(slot);
        return answer(r);
      } finally {
        clearTimeout(timer);
      }
    });

    const camerasPath = `${ROOT}.Cameras`;
    const cameras = folder(root, 'Cameras', camerasPath);
    for (const cam of this.opts.cameras) {
      const camPath = `${camerasPath}.${cam}`;
      const camObj = folder(cameras, cam, camPath);
      const lrPath = `${camPath}.LastResult`;
      const lr = folder(camObj, 'LastResult', lrPath);
      variable(lr, lrPath, 'FrameId', scalar(DataType.UInt32, 0), 'Frame id (wraps at 2^32)');
      variable(
        lr,
        lrPath,
        'CaptureTime',
        scalar(DataType.DateTime, new Date(0)),
        'When the frame was captured',
      );
      variable(lr, lrPath, 'Count', scalar(DataType.Int32, 0), 'Objects in the frame');
      const perObject: [string, DataType, string][] = [
        ['ClassIds', DataType.Int32, 'Class id per object'],
        ['ClassNames', DataType.String, 'Class name per object'],
        ['Scores', DataType.Double, 'Confidence per object, 0..1'],
        ['CenterXPx', DataType.Double, 'Box centre x per object, camera pixels'],
        ['CenterYPx', DataType.Double, 'Box centre y per object, camera pixels'],
        ['WidthPx', DataType.Double, 'Box width per object, camera pixels'],
        ['HeightPx', DataType.Double, 'Box height per object, camera pixels'],
        ['TrackIds', DataType.Int32, 'Track id per object (-1 without tracking)'],
      ];
      for (const [name, type, description] of perObject)
        variable(lr, lrPath, name, array(type, []), description);
      const cPath = `${camPath}.Counters`;
      const counters = folder(camObj, 'Counters', cPath);
      variable(counters, cPath, 'Frames', scalar(DataType.UInt32, 0), 'Frames processed since start');
      variable(counters, cPath, 'Detections', scalar(DataType.UInt32, 0), 'Objects detected since start');
      variable(counters, cPath, 'ClassNames', array(DataType.String, []), 'Classes seen, sorted by name');
      variable(counters, cPath, 'ClassCounts', array(DataType.UInt32, []), 'Objects per class, same order');
    }
  }
}
