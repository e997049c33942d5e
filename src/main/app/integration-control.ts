/**
 * Plant integration of the operator app: MQTT publishing (with the fleet watcher on the same
 * broker) and the OPC UA server, attached to the station's runtime through the same attach
 * functions `run` uses, and changed live. A change stops the old client or server and starts the
 * new one, one change at a time. A broker that cannot be reached or a port that cannot be opened
 * is an alarm with the reason, never a stopped line: results keep reaching the PLC and the UI.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import {
  DEFAULT_INTEGRATION_SETTINGS,
  type FleetView,
  type IntegrationOrigin,
  type IntegrationSettings,
  type IntegrationState,
  type MqttState,
  type OpcUaState,
  type SetIntegrationRequest,
} from '../../shared/integration';
import { maskedIntegration, mergeIntegration, mqttUriOf } from '../core/integration-plan';
import type { FleetWatcher } from '../integration/mqtt/fleet-watcher';
import type { OpcUaEndpointOptions } from '../integration/opcua/opcua-endpoint';
import type { MqttAttachment } from './attach-mqtt';
import type { OpcUaAttachment } from './attach-opcua';
import type { VisionRuntime } from './runtime';

export type IntegrationAlarmKind = 'mqttDown' | 'opcuaFailed';

export interface IntegrationControlOptions {
  runtime: VisionRuntime;
  /** The OPC UA certificates (own, trusted, rejected) live in `<dataDir>/opcua-pki`. */
  dataDir: string;
  log: (line: string) => void;
  /** Recipe slots configured now (offered to OPC UA's SwitchRecipe). */
  recipeSlots: () => number[];
  /** Raise (a message) or clear (null) the station alarm of this kind. */
  alarm: (kind: IntegrationAlarmKind, message: string | null) => void;
  /** An online station of the fleet silent this long shows as silent. */
  fleetStaleAfterMs?: number;
  /** How often outbox figures and silent fleet stations are looked at again. */
  refreshMs?: number;
  /** Wait before watching the fleet again after the broker refused or did not answer. */
  fleetRetryMs?: number;
}

/** serve's flags: they win over the saved settings for this run, until the administrator changes that part. */
export interface IntegrationOverrides {
  mqtt?: string;
  opcua?: OpcUaEndpointOptions;
}

export interface IntegrationControlEvents {
  state: [IntegrationState];
  fleet: [FleetView];
}

interface RunningMqtt {
  uri: string;
  attachment: MqttAttachment;
  watcher: FleetWatcher | null;
  retry: NodeJS.Timeout | null;
}

interface RunningOpcUa {
  key: string;
  attachment: OpcUaAttachment;
}

const MQTT_OFF: MqttState = {
  state: 'off',
  broker: null,
  topicRoot: null,
  origin: null,
  reason: null,
  outboxSize: 0,
  droppedMessages: 0,
};
const OPCUA_OFF: OpcUaState = { state: 'off', endpoint: null, security: null, origin: null, reason: null };
const NO_FLEET: FleetView = { watching: null, self: null, stations: [], error: null };

export class IntegrationControl extends EventEmitter<IntegrationControlEvents> {
  private saved: IntegrationSettings = DEFAULT_INTEGRATION_SETTINGS;
  private overrides: IntegrationOverrides = {};
  private mqtt: RunningMqtt | null = null;
  private opcua: RunningOpcUa | null = null;
  private mqttState: MqttState = MQTT_OFF;
  private opcuaState: OpcUaState = OPCUA_OFF;
  private fleetView: FleetView = NO_FLEET;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private lastStateJson = '';
  private lastFleetJson = '';
  private closed = false;

  constructor(private readonly opts: IntegrationControlOptions) {
    super();
    this.timer = setInterval(() => this.refresh(), opts.refreshMs ?? 2000);
    this.timer.unref();
  }

  /** Starts what the saved settings (or serve's flags) enable; resolves once it is up or has failed. */
  start(saved: IntegrationSettings, overrides: IntegrationOverrides = {}): Promise<IntegrationState> {
    this.saved = saved;
    this.overrides = { ...overrides };
    return this.reconcile();
  }

  /**
   * An administrator's change: checked before anything running is touched (a bad value throws
   * with the reason), then applied. Returns the settings to save and the state after the change.
   */
  async update(
    req: SetIntegrationRequest,
  ): Promise<{ settings: IntegrationSettings; state: IntegrationState }> {
    const next = mergeIntegration(this.saved, req);
    const uri = mqttUriOf(next.mqtt);
    if (uri !== null) {
      try {
        const { parseMqttUri } = await import('../integration/mqtt/mqtt-config');
        parseMqttUri(uri);
      } catch (e) {
        throw new Error(`MQTT settings: ${(e as Error).message}`, { cause: e });
      }
    }
    this.saved = next;
    if (req.mqtt) delete this.overrides.mqtt;
    if (req.opcua) delete this.overrides.opcua;
    return { settings: next, state: await this.reconcile() };
  }

  state(): IntegrationState {
    return { settings: maskedIntegration(this.saved), mqtt: this.mqttState, opcua: this.opcuaState };
  }

  fleet(): FleetView {
    return this.fleetView;
  }

  /** Stops both (MQTT publishes its offline status first); further changes are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.chain;
    await this.stopMqtt();
    await this.stopOpcUa();
  }

  // -------------------------------------------------------------------------------------------

  private reconcile(): Promise<IntegrationState> {
    const run = this.chain.then(async () => {
      if (this.closed) throw new Error('the station is closing');
      const m = this.desiredMqtt();
      if ((m?.uri ?? null) !== (this.mqtt?.uri ?? null)) {
        await this.stopMqtt();
        if (m) await this.startMqtt(m.uri, m.origin);
      } else if (m) this.mqttState = { ...this.mqttState, origin: m.origin };
      const o = this.desiredOpcUa();
      const key = o ? `${o.endpoint.port}|${o.endpoint.security}|${o.endpoint.pkiDir}` : null;
      // A server that failed to start is tried again on every change (the port may be free now).
      if (key !== (this.opcua?.key ?? null) || this.opcuaState.state === 'failed') {
        await this.stopOpcUa();
        if (o && key) await this.startOpcUa(o.endpoint, o.origin, key);
      } else if (o) this.opcuaState = { ...this.opcuaState, origin: o.origin };
      this.emitState();
      return this.state();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private desiredMqtt(): { uri: string; origin: IntegrationOrigin } | null {
    if (this.overrides.mqtt) return { uri: this.overrides.mqtt, origin: 'command line' };
    const uri = mqttUriOf(this.saved.mqtt);
    return uri === null ? null : { uri, origin: 'settings' };
  }

  private desiredOpcUa(): { endpoint: OpcUaEndpointOptions; origin: IntegrationOrigin } | null {
    if (this.overrides.opcua) return { endpoint: this.overrides.opcua, origin: 'command line' };
    const s = this.saved.opcua;
    if (!s.enabled) return null;
    return {
      endpoint: { port: s.port, security: s.security, pkiDir: join(this.opts.dataDir, 'opcua-pki') },
      origin: 'settings',
    };
  }

  private modelName(): string {
    return this.opts.runtime.engine.model?.name ?? '';
  }

  private async startMqtt(uri: string, origin: IntegrationOrigin): Promise<void> {
    let attachment: MqttAttachment;
    try {
      const { attachMqtt } = await import('./attach-mqtt');
      attachment = await attachMqtt(uri, {
        runtime: this.opts.runtime,
        model: this.modelName(),
        log: this.opts.log,
      });
    } catch (e) {
      // Only a URI the checks let through could get here; say it like any other failure.
      this.mqttState = { ...MQTT_OFF, origin, reason: (e as Error).message };
      this.opts.alarm('mqttDown', `MQTT: ${(e as Error).message}`);
      return;
    }
    const s = attachment.sink.settings;
    const run: RunningMqtt = { uri, attachment, watcher: null, retry: null };
    this.mqtt = run;
    this.mqttState = {
      state: 'connecting',
      broker: s.brokerUrl,
      topicRoot: `${s.prefix}/${s.station}`,
      origin,
      reason: null,
      outboxSize: 0,
      droppedMessages: 0,
    };
    attachment.sink.on('link', (link) => {
      if (this.mqtt !== run) return;
      const stats = attachment.sink.stats();
      this.mqttState = {
        ...this.mqttState,
        state: link.connected ? 'connected' : 'reconnecting',
        reason: link.reason,
        outboxSize: stats.outboxSize,
        droppedMessages: stats.droppedMessages,
      };
      this.opts.alarm(
        'mqttDown',
        link.connected
          ? null
          : `MQTT broker ${s.brokerUrl} unavailable (${link.reason ?? 'connection closed'}); retrying, events wait in the outbox`,
      );
      this.emitState();
    });
    this.fleetView = { watching: `${s.brokerUrl} ${s.prefix}/#`, self: s.station, stations: [], error: null };
    this.emitFleet();
    const { FleetWatcher } = await import('../integration/mqtt/fleet-watcher');
    this.watchFleet(run, FleetWatcher);
  }

  private watchFleet(run: RunningMqtt, Watcher: typeof FleetWatcher): void {
    const watcher = new Watcher({
      uri: run.uri,
      log: this.opts.log,
      staleAfterMs: this.opts.fleetStaleAfterMs,
    });
    run.watcher = watcher;
    watcher.on('change', (stations) => {
      if (run.watcher !== watcher) return;
      this.fleetView = { ...this.fleetView, stations, error: null };
      this.emitFleet();
    });
    watcher.start().then(
      () => {
        if (run.watcher !== watcher || this.fleetView.error === null) return;
        this.fleetView = { ...this.fleetView, error: null };
        this.emitFleet();
      },
      (e: unknown) => {
        if (run.watcher !== watcher || this.mqtt !== run) return;
        run.watcher = null;
        this.fleetView = { ...this.fleetView, error: (e as Error).message };
        this.emitFleet();
        run.retry = setTimeout(() => {
          run.retry = null;
          if (this.mqtt === run && !this.closed) this.watchFleet(run, Watcher);
        }, this.opts.fleetRetryMs ?? 5000);
        run.retry.unref();
      },
    );
  }

  private async stopMqtt(): Promise<void> {
    const run = this.mqtt;
    this.mqtt = null;
    if (run) {
      if (run.retry) clearTimeout(run.retry);
      const watcher = run.watcher;
      run.watcher = null;
      await Promise.all([run.attachment.detach(), watcher?.close()]);
    }
    if (run || this.mqttState.state !== 'off' || this.mqttState.reason !== null) {
      this.mqttState = MQTT_OFF;
      this.opts.alarm('mqttDown', null);
    }
    this.fleetView = NO_FLEET;
    this.emitFleet();
  }

  private async startOpcUa(
    endpoint: OpcUaEndpointOptions,
    origin: IntegrationOrigin,
    key: string,
  ): Promise<void> {
    try {
      // node-opcua takes seconds to load: only a station that serves OPC UA pays for it.
      const { attachOpcUa } = await import('./attach-opcua');
      const attachment = await attachOpcUa(endpoint, {
        runtime: this.opts.runtime,
        model: this.modelName(),
        recipeSlots: this.opts.recipeSlots(),
        log: this.opts.log,
      });
      this.opcua = { key, attachment };
      this.opcuaState = {
        state: 'listening',
        endpoint: attachment.server.endpointUrl,
        security: endpoint.security,
        origin,
        reason: null,
      };
      this.opts.alarm('opcuaFailed', null);
    } catch (e) {
      const reason = (e as Error).message;
      this.opcuaState = { state: 'failed', endpoint: null, security: endpoint.security, origin, reason };
      this.opts.log(reason);
      this.opts.alarm('opcuaFailed', `${reason}; the line runs on without OPC UA`);
    }
  }

  private async stopOpcUa(): Promise<void> {
    const run = this.opcua;
    this.opcua = null;
    await run?.attachment.detach();
    if (this.opcuaState.state !== 'off') {
      this.opcuaState = OPCUA_OFF;
      this.opts.alarm('opcuaFailed', null);
    }
  }

  /** Outbox figures change without link events, and fleet stations fall silent without messages. */
  private refresh(): void {
    const run = this.mqtt;
    if (run) {
      const stats = run.attachment.sink.stats();
      this.mqttState = {
        ...this.mqttState,
        outboxSize: stats.outboxSize,
        droppedMessages: stats.droppedMessages,
      };
      this.emitState();
      if (run.watcher) {
        this.fleetView = { ...this.fleetView, stations: run.watcher.list() };
        this.emitFleet();
      }
    }
  }

  private emitState(): void {
    const s = this.state();
    const json = JSON.stringify(s);
    if (json === this.lastStateJson) return;
    this.lastStateJson = json;
    this.emit('state', s);
  }

  private emitFleet(): void {
    const json = JSON.stringify(this.fleetView);
    if (json === this.lastFleetJson) return;
    this.lastFleetJson = json;
    this.emit('fleet', this.fleetView);
  }
}
