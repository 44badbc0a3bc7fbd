import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { BrokerTarget } from './broker-target.js';

export interface TlsMaterial {
  ca: Buffer | null;
  cert: Buffer | null;
  key: Buffer | null;
}

/** One connection attempt: where, with what TLS material, from which local address. */
export interface TransportRequest {
  target: BrokerTarget;
  tls: TlsMaterial;
  /** Source address of the cheapest usable modem (its source rule routes it out of that modem); null = main table. */
  localAddress: string | null;
}

/** The transport port: a Duplex byte stream to the broker (mqtt.js' stream builder contract). */
export type TransportFactory = (req: TransportRequest) => Duplex;

/** TCP or TLS with node:net / node:tls, bound to the local address when given. */
export const tcpTransport: TransportFactory = (req) => {
  const { target, tls, localAddress } = req;
  const base = { host: target.host, port: target.port, ...(localAddress ? { localAddress } : {}) };
  if (!target.tls) return netConnect(base);
  return tlsConnect({
    ...base,
    // SNI only for names, never for literal addresses (RFC 6066).
    ...(/^[\d.]+$|:/.test(target.host) ? {} : { servername: target.host }),
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.cert ? { cert: tls.cert } : {}),
    ...(tls.key ? { key: tls.key } : {}),
    rejectUnauthorized: true,
  });
};
