#!/usr/bin/env bash
# Installs the Debian packages modemflow's tests and demo need, only those
# missing. Usage: scripts/sysdeps.sh test|demo
set -euo pipefail
want=(nft:nftables ip:iproute2 tc:iproute2 conntrack:conntrack ping:iputils-ping)
if [ "${1:-test}" = test ]; then
  # busybox: the probe tests also run stock OpenWrt's busybox ping.
  want+=(mosquitto:mosquitto chromium:chromium busybox:busybox)
fi
missing=()
for pair in "${want[@]}"; do
  cmd=${pair%%:*} pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "sysdeps: missing ${missing[*]}; run as root or install them" >&2
  exit 1
fi
echo "sysdeps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${missing[@]}" | sort -u) >/dev/null
