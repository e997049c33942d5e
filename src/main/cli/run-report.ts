/**
 * What `run` tells the person at the terminal while it runs and in its summary: PLC and serial
 * links lost and regained, source restarts, and decoder warnings (a file cut short, corrupt
 * packets). Each is one stderr line as it happens; a flood of decoder warnings is counted, not
 * printed, after the first few.
 */
import type { FrameSource, SourceStateChange } from '../capture/types';
import type { OutputSinks } from '../app/outputs';
import type { SerialSink } from '../serial/serial-sink';

/** Decoder warnings printed before the rest are only counted. */
export const MAX_PRINTED_WARNINGS = 20;

export interface RunCounts {
  /** Times the PLC link was lost. */
  plcErrors: number;
  /** Times the serial link was lost. */
  serialErrors: number;
  /** Times the source, the PLC or the serial link came back after a loss. */
  reconnects: number;
  /** Decoder messages that read like trouble. */
  sourceWarnings: number;
}

export class RunReport {
  readonly counts: RunCounts = { plcErrors: 0, serialErrors: 0, reconnects: 0, sourceWarnings: 0 };
  private plcConnectedOnce = false;
  private plcUp = false;
  private sourceDown = false;

  constructor(private readonly log: (line: string) => void) {}

  /** For `SourceOptions.onWarning`. */
  readonly onSourceWarning = (line: string): void => {
    this.counts.sourceWarnings++;
    if (this.counts.sourceWarnings <= MAX_PRINTED_WARNINGS) this.log(`source warning: ${line}`);
    if (this.counts.sourceWarnings === MAX_PRINTED_WARNINGS)
      this.log(`source warning: further decoder warnings are counted in the summary only`);
  };

  /** Why the PLC output failed this run (never connected, or lost and not back at the end), or null. */
  plcFailure(): string | null {
    if (!this.plcConnectedOnce) return 'the PLC was never reached';
    if (!this.plcUp)
      return `the PLC connection was lost (${this.counts.plcErrors} time${this.counts.plcErrors === 1 ? '' : 's'}) and was not back at the end`;
    return null;
  }

  watch(source: FrameSource, outputs: OutputSinks): void {
    // With failFast the PLC is connected before the report is attached.
    if (outputs.plc?.status().state === 'connected') this.plcConnectedOnce = this.plcUp = true;
    source.on('state', (c: SourceStateChange) => {
      if (c.state === 'reconnecting' || c.state === 'stalled') this.sourceDown = true;
      else if (c.state === 'live' && this.sourceDown) {
        this.sourceDown = false;
        this.counts.reconnects++;
      }
    });
    outputs.on('plcLink', (s) => {
      if (s.state === 'connected') {
        if (this.plcConnectedOnce && !this.plcUp) {
          this.counts.reconnects++;
          this.log(`PLC ${s.endpoint}: connected again`);
        }
        this.plcConnectedOnce = true;
        this.plcUp = true;
      } else if (this.plcUp) {
        this.plcUp = false;
        this.counts.plcErrors++;
        this.log(`PLC ${s.endpoint}: connection lost${s.lastError ? ` (${s.lastError})` : ''}; retrying`);
      }
    });
    for (const sink of outputs.sinks) {
      const serial = (sink as { serial?: SerialSink }).serial;
      if (!serial) continue;
      let up = serial.status().state === 'open';
      // serial-output already prints each state change; here it is only counted.
      serial.on('link', (s) => {
        if (s.state === 'open' && !up) {
          up = true;
          this.counts.reconnects++;
        } else if (s.state !== 'open' && up) {
          up = false;
          this.counts.serialErrors++;
        }
      });
    }
  }
}
