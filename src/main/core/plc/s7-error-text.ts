/**
 * Snap7's error texts are written for its developers ("ISO : Bad PDU format" for a PLC address
 * that never answered). This turns them into what happened and what to check, for the operator's
 * status line and the command line. Pure: the PLC adapter passes the raw text and code.
 */

export interface S7ErrorInput {
  /** Snap7's ErrorText (possibly prefixed by what was being done). */
  message: string;
  /** Snap7's numeric error: TCP errno in the low 16 bits, ISO and client errors above. */
  code?: number;
  /** "host:port", as the user wrote it. */
  endpoint: string;
  /** Connecting, or reading/writing over an established connection. */
  phase: 'connect' | 'read' | 'write';
}

/** Linux errno values snap7 carries in the low 16 bits of its error code. */
const ERRNO = { ETIMEDOUT: 110, ECONNREFUSED: 111, EHOSTUNREACH: 113, ENETUNREACH: 101, ECONNRESET: 104 };

const ISO_CONNECT = 0x0001_0000;
const ISO_INVALID_PDU = 0x0003_0000;

export function describeS7Error(e: S7ErrorInput): string {
  const raw = e.message.trim();
  const errno = e.code === undefined ? undefined : e.code & 0xffff;
  const iso = e.code === undefined ? 0 : e.code & 0x000f_0000;
  const where = `PLC ${e.endpoint}`;
  if (errno === ERRNO.ETIMEDOUT || /timed? ?out|ETIMEDOUT/i.test(raw))
    return `${where} did not answer in time (timed out): check its address and that it is on this network`;
  if (errno === ERRNO.EHOSTUNREACH || errno === ERRNO.ENETUNREACH || /unreachable|no route/i.test(raw))
    return `${where} is unreachable (no route to the host): check its address and the network cable`;
  if (errno === ERRNO.ECONNREFUSED || /refused/i.test(raw))
    return `${where} refused the connection: nothing accepts S7 connections on that port`;
  if (errno === ERRNO.ECONNRESET || /reset by peer|connection reset/i.test(raw))
    return `${where} closed the connection (reset by the peer)`;
  if (
    e.phase === 'connect' &&
    (iso === ISO_CONNECT ||
      iso === ISO_INVALID_PDU ||
      /ISO ?: ?(Bad PDU format|Connection error|Invalid PDU)/i.test(raw))
  )
    return `${where} is unreachable or did not answer as an S7 PLC (no route, timed out, or another device at that address; check the address, rack and slot)`;
  if (/address out of range|item not available|function not available/i.test(raw))
    return `${where} refused the data access (${raw}): check that the DB exists, is large enough, has optimized block access off, and that PUT/GET is allowed`;
  return `${where}: ${raw}`;
}
