/**
 * The name of a netifd interface (`network.interface.<name>` on ubus,
 * `ifup <name>`): a section name of /etc/config/network, so only what
 * libuci's uci_validate_name allows (letters, digits, '_'; no '-' or '.'),
 * and at most 15 characters, the limit LuCI enforces when it creates one
 * (protocols derive kernel device names such as `br-<name>` from it, and
 * older netifd kept it in a char[IFNAMSIZ]). 'wan-2' and 'wan.2' are not
 * interface names.
 */
export const NETIFD_INTERFACE_MAX_LENGTH = 15;

const NETIFD_INTERFACE = /^[A-Za-z0-9_]{1,15}$/;

export function isNetifdInterfaceName(name: string): boolean {
  return NETIFD_INTERFACE.test(name);
}

/** What a netifd interface name looks like (completes "expected ..."). */
export const NETIFD_INTERFACE_EXPECTED = `a netifd interface name (1-${NETIFD_INTERFACE_MAX_LENGTH} of A-Z a-z 0-9 _)`;
