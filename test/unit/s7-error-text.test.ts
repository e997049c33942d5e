import { describe, expect, it } from 'vitest';
import { describeS7Error } from '../../src/main/core/plc/s7-error-text';

const endpoint = '10.0.0.9:102';

describe('describeS7Error', () => {
  it('says an unreachable PLC is unreachable or timed out, not "Bad PDU format"', () => {
    expect(describeS7Error({ message: 'ISO : Bad PDU format', endpoint, phase: 'connect' })).toBe(
      'PLC 10.0.0.9:102 is unreachable or did not answer as an S7 PLC (no route, timed out, or another device at that address; check the address, rack and slot)',
    );
    expect(
      describeS7Error({ message: 'ISO : Bad PDU format', code: 0x0003_006e, endpoint, phase: 'connect' }),
    ).toBe(
      'PLC 10.0.0.9:102 did not answer in time (timed out): check its address and that it is on this network',
    );
    expect(describeS7Error({ message: 'TCP : Connection timed out', endpoint, phase: 'connect' })).toBe(
      'PLC 10.0.0.9:102 did not answer in time (timed out): check its address and that it is on this network',
    );
    expect(describeS7Error({ message: 'whatever', code: 113, endpoint, phase: 'connect' })).toBe(
      'PLC 10.0.0.9:102 is unreachable (no route to the host): check its address and the network cable',
    );
    expect(
      describeS7Error({ message: 'TCP : Connection refused', code: 111, endpoint, phase: 'connect' }),
    ).toBe('PLC 10.0.0.9:102 refused the connection: nothing accepts S7 connections on that port');
  });

  it('names data-access problems and keeps unknown texts', () => {
    expect(describeS7Error({ message: 'CPU : Address out of range', endpoint, phase: 'write' })).toBe(
      'PLC 10.0.0.9:102 refused the data access (CPU : Address out of range): check that the DB exists, is large enough, has optimized block access off, and that PUT/GET is allowed',
    );
    // A bad PDU on an established connection is not a reachability problem.
    expect(describeS7Error({ message: 'ISO : Bad PDU format', endpoint, phase: 'write' })).toBe(
      'PLC 10.0.0.9:102: ISO : Bad PDU format',
    );
    expect(describeS7Error({ message: 'TCP : Connection reset by peer', endpoint, phase: 'read' })).toBe(
      'PLC 10.0.0.9:102 closed the connection (reset by the peer)',
    );
  });
});
