import type { OpcUaSecurity } from './opcua-server';

/** Where and how the OPC UA server listens. */
export interface OpcUaEndpointOptions {
  port: number;
  security: OpcUaSecurity;
  /** Server certificate and trusted / rejected client certificates. */
  pkiDir: string;
}
