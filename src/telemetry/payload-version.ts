/** Schema version `v` of every JSON payload; bumped when a field changes meaning or goes away. */
export const PAYLOAD_VERSION = 1;

/** Retained on `status`: the birth message, and the Last Will / clean stop. Plain words so Home Assistant's availability defaults match. */
export const STATUS_ONLINE = 'online';
export const STATUS_OFFLINE = 'offline';
