import type { Alarm, AlarmKind } from '../../shared/api';

/**
 * Alarms the operator sees and acknowledges. A condition alarm (source lost, PLC down, FPS low)
 * stays active until cleared; raising it again while active only updates the message. Bounded:
 * the oldest inactive, acknowledged alarms go first.
 */
export class AlarmBook {
  private readonly alarms: Alarm[] = [];
  private nextId = 1;

  constructor(
    private readonly onChange: (alarms: Alarm[]) => void,
    private readonly maxAlarms = 100,
    private readonly nowMs: () => number = Date.now,
  ) {}

  list(): Alarm[] {
    return this.alarms.map((a) => ({ ...a }));
  }

  /** Raise (or refresh) the active alarm of this kind. `oneShot` alarms are inactive at once. */
  raise(kind: AlarmKind, message: string, oneShot = false): void {
    const open = this.alarms.find((a) => a.kind === kind && a.active);
    if (open && !oneShot) {
      if (open.message === message) return;
      open.message = message;
    } else {
      const t = this.nowMs();
      this.alarms.push({
        id: this.nextId++,
        kind,
        message,
        raisedAtMs: t,
        active: !oneShot,
        acknowledged: false,
        clearedAtMs: oneShot ? t : null,
        acknowledgedAtMs: null,
        acknowledgedBy: null,
      });
      while (this.alarms.length > this.maxAlarms) {
        const idx = this.alarms.findIndex((a) => !a.active && a.acknowledged);
        this.alarms.splice(idx >= 0 ? idx : 0, 1);
      }
    }
    this.onChange(this.list());
  }

  clear(kind: AlarmKind): void {
    let changed = false;
    for (const a of this.alarms) {
      if (a.kind === kind && a.active) {
        a.active = false;
        a.clearedAtMs = this.nowMs();
        changed = true;
      }
    }
    if (changed) this.onChange(this.list());
  }

  acknowledge(id: number, by = 'local'): boolean {
    const a = this.alarms.find((x) => x.id === id);
    if (!a) return false;
    if (!a.acknowledged) {
      a.acknowledged = true;
      a.acknowledgedAtMs = this.nowMs();
      a.acknowledgedBy = by;
      this.onChange(this.list());
    }
    return true;
  }
}
