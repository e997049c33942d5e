import { describe, expect, it } from 'vitest';
import type { Alarm } from '../../src/shared/api';
import { AlarmBook } from '../../src/main/station/alarms';

describe('AlarmBook', () => {
  const make = () => {
    const pushed: Alarm[][] = [];
    let t = 1000;
    const book = new AlarmBook(
      (a) => pushed.push(a),
      3,
      () => t++,
    );
    return { book, pushed };
  };

  it('raises a condition once, refreshes its message, clears it, and keeps it until acknowledged', () => {
    const { book, pushed } = make();
    book.raise('plcDown', 'PLC down: connection refused');
    book.raise('plcDown', 'PLC down: connection refused');
    book.raise('plcDown', 'PLC down: timeout');
    expect(book.list()).toEqual([
      {
        id: 1,
        kind: 'plcDown',
        message: 'PLC down: timeout',
        raisedAtMs: 1000,
        active: true,
        acknowledged: false,
        clearedAtMs: null,
        acknowledgedAtMs: null,
        acknowledgedBy: null,
      },
    ]);
    expect(pushed).toHaveLength(2);
    book.clear('plcDown');
    expect(book.list()[0]).toMatchObject({ active: false, acknowledged: false, clearedAtMs: 1001 });
    expect(book.acknowledge(1, '10.0.0.7')).toBe(true);
    expect(book.list()[0]).toMatchObject({
      active: false,
      acknowledged: true,
      acknowledgedAtMs: 1002,
      acknowledgedBy: '10.0.0.7',
    });
    expect(book.acknowledge(99)).toBe(false);
    // A new occurrence after clearing is a new alarm.
    book.raise('plcDown', 'again');
    expect(book.list().map((a) => [a.id, a.active])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it('one-shot alarms are inactive at once and each is listed', () => {
    const { book } = make();
    book.raise('ackTimeout', 'no ack for frame 5', true);
    book.raise('ackTimeout', 'no ack for frame 6', true);
    expect(book.list().map((a) => [a.message, a.active])).toEqual([
      ['no ack for frame 5', false],
      ['no ack for frame 6', false],
    ]);
  });

  it('is bounded, dropping acknowledged inactive alarms first', () => {
    const { book } = make();
    book.raise('ackTimeout', 'a', true);
    book.raise('ackTimeout', 'b', true);
    book.acknowledge(2);
    book.raise('sourceLost', 'c');
    book.raise('plcDown', 'd');
    expect(book.list().map((a) => a.message)).toEqual(['a', 'c', 'd']);
    book.raise('fpsBelowTarget', 'e');
    expect(book.list().map((a) => a.message)).toEqual(['c', 'd', 'e']);
  });
});
