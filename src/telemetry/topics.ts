/**
 * Topic names under `<topic_root>/<device-id>/` and the device id itself.
 * Pure: plain strings in, plain strings out.
 */

/** A device id as topics and Home Assistant unique ids accept it: 1-64 of A-Z a-z 0-9 _ -. */
export const DEVICE_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
/** Names that become one topic level (modems, request ids). */
export const TOPIC_LEVEL_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The configured id, else `<hostname>-<last three bytes of the base MAC>`
 * (hostnames repeat across a fleet: every stock router is `OpenWrt`).
 */
export function deriveDeviceId(configured: string | null, identity: { hostname: string; baseMac: string | null }): string {
  if (configured !== null) return configured;
  const host = identity.hostname.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'router';
  const hex = (identity.baseMac ?? '').toLowerCase().replace(/[^0-9a-f]/g, '');
  const suffix = hex.length === 12 ? `-${hex.slice(6)}` : '';
  return (host.slice(0, 64 - suffix.length) + suffix).slice(0, 64);
}

export class Topics {
  readonly base: string;

  constructor(
    readonly root: string,
    readonly deviceId: string,
    readonly haPrefix: string,
  ) {
    this.base = `${root}/${deviceId}`;
  }

  get status(): string { return `${this.base}/status`; }
  get state(): string { return `${this.base}/state`; }
  get events(): string { return `${this.base}/events`; }
  metrics(modem: string): string { return `${this.base}/metrics/${modem}`; }
  /** Subscription filter for every command. */
  get commands(): string { return `${this.base}/cmd/+`; }
  reply(requestId: string): string { return `${this.base}/reply/${requestId}`; }
  /** The command name of a `cmd/<name>` topic, or null when the topic is not one. */
  commandName(topic: string): string | null {
    const prefix = `${this.base}/cmd/`;
    if (!topic.startsWith(prefix)) return null;
    const name = topic.slice(prefix.length);
    return name.length > 0 && !name.includes('/') ? name : null;
  }
  /** Home Assistant announces itself here (`online` after a restart). */
  get haStatus(): string { return `${this.haPrefix}/status`; }
  haConfig(objectId: string): string { return `${this.haPrefix}/sensor/${this.deviceId}/${objectId}/config`; }
}
