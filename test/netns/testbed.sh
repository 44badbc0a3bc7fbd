#!/usr/bin/env bash
# modemflow network-namespace test bed: a router with N modem uplinks, one
# operator namespace per uplink that NATs to a shared "internet" namespace
# holding the test servers, and a LAN client namespace. IPv4 and IPv6.
#
#   testbed.sh [--prefix P] [--uplinks N] up|down|status
#   testbed.sh [--prefix P] shape --uplink I [--rate 20mbit] [--delay 30ms]  (each direction)
#                                 [--jitter 5ms] [--loss 1] [--queue 50] [--clear]
#   testbed.sh [--prefix P] link --uplink I up|down
#
# Environment: MF_TESTBED_PREFIX (default mfr), MF_TESTBED_UPLINKS (3).
# Needs root, iproute2, nftables. Installs nothing.
# shape applies to each direction of the uplink. Rate uses htb; delay and
# jitter need sch_netem (when the kernel has it, netem does rate and loss
# too); without netem, loss is a random drop in the operator's forward path.
# --queue N bounds the rate's queue to N packets (pfifo under htb; default:
# the device's txqueuelen, 1000 on a veth, i.e. seconds of delay when full).
# link down/up toggles the router side of the uplink (the kernel drops the
# routes through it, as when a modem's netdev goes away).
#
# Names (P = prefix):  namespaces P-rt, P-lan, P-op1..N, P-inet
#   P-lan  eth0  192.168.77.2/24  fd77::2/64       -> P-rt lan0 .1 / fd77::1
#   P-rt   wanI  100.64.I.2/24    fd64:I::2/64     -> P-opI dn0 .1 / ::1
#   P-opI  up0   198.18.I.2/24    2001:db8:I::2/64 -> P-inet opI .1 / ::1
#   P-inet lo    203.0.113.10     2001:db8:ff::10  (the test servers)
# The router masquerades on its uplinks (as fw4 does on OpenWrt), forwards
# TCP port 8080 on every uplink address to the LAN client (a port forward),
# and has main-table default routes via uplink 1, 2, 3 with metrics 10, 20,
# 30. The internet namespace reaches 100.64.I.0/24 through operator I. Each
# operator masquerades to its own address, so a server sees 198.18.I.2 for a
# connection that left through uplink I; the operator namespaces also count
# forwarded new connections (nft counters new4/new6 in table inet testbed).
set -euo pipefail

PREFIX=${MF_TESTBED_PREFIX:-mfr}
UPLINKS=${MF_TESTBED_UPLINKS:-3}
CMD=
UPLINK=
RATE= DELAY= JITTER= LOSS= QUEUE= CLEAR=0 LINKSTATE=

die() { echo "testbed: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX=$2; shift 2 ;;
    --uplinks) UPLINKS=$2; shift 2 ;;
    --uplink) UPLINK=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --delay) DELAY=$2; shift 2 ;;
    --jitter) JITTER=$2; shift 2 ;;
    --loss) LOSS=$2; shift 2 ;;
    --queue) QUEUE=$2; shift 2 ;;
    --clear) CLEAR=1; shift ;;
    up|down|status|shape|link)
      if [ -z "$CMD" ]; then CMD=$1; elif [ "$CMD" = link ] && [ -z "$LINKSTATE" ]; then LINKSTATE=$1; else die "unexpected '$1'"; fi
      shift ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) die "unknown argument '$1'" ;;
  esac
done

[[ "$PREFIX" =~ ^[a-z][a-z0-9]{0,7}$ ]] || die "prefix must be 1-8 lower-case letters/digits starting with a letter, got '$PREFIX'"
[[ "$UPLINKS" =~ ^[1-9]$ ]] || die "uplinks must be 1-9, got '$UPLINKS'"
[ "$(id -u)" = 0 ] || die "needs root"

RT=$PREFIX-rt LAN=$PREFIX-lan INET=$PREFIX-inet
op() { echo "$PREFIX-op$1"; }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

our_namespaces() {
  ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${PREFIX}-(rt|lan|inet|op[0-9])$" || true
}

down() {
  local ns pids
  for ns in $(our_namespaces); do
    # Servers and clients the tests started inside our namespaces.
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
  done
  for ns in $(our_namespaces); do ip netns del "$ns" 2>/dev/null || true; done
  # A namespace only goes away once its last process has; wait briefly.
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    [ -z "$(our_namespaces)" ] && return 0
    sleep 0.2
  done
  [ -z "$(our_namespaces)" ] || die "could not remove: $(our_namespaces | tr '\n' ' ')"
}

sysctls() {
  local ns=$1 fwd=$2
  nsx "$ns" sysctl -qw net.ipv4.ip_forward="$fwd" net.ipv6.conf.all.forwarding="$fwd" \
    net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 \
    net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.accept_ra=0
  nsx "$ns" ip link set lo up
}

up() {
  down
  local i
  for ns in "$RT" "$LAN" "$INET"; do ip netns add "$ns"; done
  for i in $(seq 1 "$UPLINKS"); do ip netns add "$(op "$i")"; done
  sysctls "$RT" 1; sysctls "$LAN" 0; sysctls "$INET" 0
  # The packet mark decides the reverse path of marked replies.
  nsx "$RT" sysctl -qw net.ipv4.conf.all.src_valid_mark=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  # `link --uplink I down/up` must not lose the uplink's IPv6 address.
  nsx "$RT" sysctl -qw net.ipv6.conf.all.keep_addr_on_down=1 net.ipv6.conf.default.keep_addr_on_down=1

  # LAN
  ip -n "$RT" link add lan0 type veth peer name eth0 netns "$LAN"
  ip -n "$RT" addr add 192.168.77.1/24 dev lan0
  ip -n "$RT" addr add fd77::1/64 dev lan0 nodad
  ip -n "$RT" link set lan0 up
  ip -n "$LAN" addr add 192.168.77.2/24 dev eth0
  ip -n "$LAN" addr add fd77::2/64 dev eth0 nodad
  ip -n "$LAN" link set eth0 up
  ip -n "$LAN" route add default via 192.168.77.1
  ip -n "$LAN" -6 route add default via fd77::1

  # Internet: servers on lo.
  ip -n "$INET" addr add 203.0.113.10/32 dev lo
  ip -n "$INET" addr add 2001:db8:ff::10/128 dev lo

  local masq="" ns
  for i in $(seq 1 "$UPLINKS"); do
    ns=$(op "$i")
    sysctls "$ns" 1
    ip -n "$RT" link add "wan$i" type veth peer name dn0 netns "$ns"
    ip -n "$RT" addr add "100.64.$i.2/24" dev "wan$i"
    ip -n "$RT" addr add "fd64:$i::2/64" dev "wan$i" nodad
    ip -n "$RT" link set "wan$i" up
    ip -n "$ns" addr add "100.64.$i.1/24" dev dn0
    ip -n "$ns" addr add "fd64:$i::1/64" dev dn0 nodad
    ip -n "$ns" link set dn0 up
    ip -n "$ns" link add up0 type veth peer name "op$i" netns "$INET"
    ip -n "$ns" addr add "198.18.$i.2/24" dev up0
    ip -n "$ns" addr add "2001:db8:$i::2/64" dev up0 nodad
    ip -n "$ns" link set up0 up
    ip -n "$INET" addr add "198.18.$i.1/24" dev "op$i"
    ip -n "$INET" addr add "2001:db8:$i::1/64" dev "op$i" nodad
    ip -n "$INET" link set "op$i" up
    ip -n "$ns" route add default via "198.18.$i.1"
    ip -n "$ns" -6 route add default via "2001:db8:$i::1"
    nsx "$ns" nft -f - <<EOF
table inet testbed {
	counter new4 {}
	counter new6 {}
	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname "dn0" ct state new meta nfproto ipv4 counter name "new4"
		iifname "dn0" ct state new meta nfproto ipv6 counter name "new6"
		jump loss
	}
	chain loss {
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "up0" masquerade
	}
}
EOF
    # The router's uplink addresses are reachable from the internet through their operator
    # (as a public address would be), for connections initiated from the WAN side.
    ip -n "$INET" route add "100.64.$i.0/24" via "198.18.$i.2"
    ip -n "$INET" -6 route add "fd64:$i::/64" via "2001:db8:$i::2"
    ip -n "$RT" route add default via "100.64.$i.1" metric $((i * 10))
    ip -n "$RT" -6 route add default via "fd64:$i::1" metric $((i * 10))
    masq="$masq${masq:+, }\"wan$i\""
  done
  nsx "$RT" nft -f - <<EOF
table inet testbed_fw {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iifname { $masq } tcp dport 8080 dnat ip to 192.168.77.2
		iifname { $masq } tcp dport 8080 dnat ip6 to fd77::2
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname { $masq } masquerade
	}
}
EOF
  echo "testbed $PREFIX up: $RT $LAN $INET $(for i in $(seq 1 "$UPLINKS"); do op "$i"; done | tr '\n' ' ')"
}

status() {
  local want=("$RT" "$LAN" "$INET") have missing=() i
  for i in $(seq 1 "$UPLINKS"); do want+=("$(op "$i")"); done
  have=$(our_namespaces)
  for ns in "${want[@]}"; do grep -qx "$ns" <<<"$have" || missing+=("$ns"); done
  if [ ${#missing[@]} -eq 0 ]; then echo "testbed $PREFIX: up (${want[*]})"; return 0; fi
  if [ -z "$have" ]; then echo "testbed $PREFIX: down"; else echo "testbed $PREFIX: partial, missing ${missing[*]}"; fi
  return 1
}

netem_available() {
  # Probe on a throw-away veth inside the router namespace.
  ip -n "$RT" link add nmprobe0 type veth peer name nmprobe1 2>/dev/null || return 1
  local ok=1
  tc -n "$RT" qdisc add dev nmprobe0 root netem delay 1ms 2>/dev/null && ok=0
  ip -n "$RT" link del nmprobe0 2>/dev/null || true
  return $ok
}

shape() {
  [[ "$UPLINK" =~ ^[1-9]$ ]] || die "shape needs --uplink 1..$UPLINKS"
  local ns; ns=$(op "$UPLINK")
  [[ -z "$RATE" || "$RATE" =~ ^[0-9]+(\.[0-9]+)?(k|m|g)?bit$ ]] || die "--rate like 20mbit, got '$RATE'"
  [[ -z "$DELAY" || "$DELAY" =~ ^[0-9]+(\.[0-9]+)?(us|ms|s)$ ]] || die "--delay like 30ms, got '$DELAY'"
  [[ -z "$JITTER" || "$JITTER" =~ ^[0-9]+(\.[0-9]+)?(us|ms|s)$ ]] || die "--jitter like 5ms, got '$JITTER'"
  [[ -z "$LOSS" || "$LOSS" =~ ^([0-9]|[1-9][0-9]|100)$ ]] || die "--loss is a whole percent 0-100, got '$LOSS'"
  [[ -z "$QUEUE" || "$QUEUE" =~ ^[1-9][0-9]{0,4}$ ]] || die "--queue is a packet count 1-99999, got '$QUEUE'"
  # Both directions: router side (upload) and operator side (download).
  tc -n "$RT" qdisc del dev "wan$UPLINK" root 2>/dev/null || true
  tc -n "$ns" qdisc del dev dn0 root 2>/dev/null || true
  nsx "$ns" nft flush chain inet testbed loss
  [ "$CLEAR" = 1 ] && return 0
  if [ -n "$DELAY$JITTER" ] || { [ -n "$LOSS" ] && [ "$LOSS" != 100 ] && netem_available; }; then
    netem_available || die "delay/jitter need sch_netem, which this kernel lacks (rate and loss work without it)"
    local args=()
    [ -n "$DELAY" ] && args+=(delay "$DELAY") && [ -n "$JITTER" ] && args+=("$JITTER")
    [ -n "$LOSS" ] && args+=(loss "$LOSS%")
    [ -n "$RATE" ] && args+=(rate "$RATE")
    [ -n "$QUEUE" ] && args+=(limit "$QUEUE")
    tc -n "$RT" qdisc add dev "wan$UPLINK" root netem "${args[@]}"
    tc -n "$ns" qdisc add dev dn0 root netem "${args[@]}"
    return 0
  fi
  if [ -n "$RATE" ]; then
    local d
    for d in "$RT wan$UPLINK" "$ns dn0"; do
      set -- $d
      tc -n "$1" qdisc add dev "$2" root handle 1: htb default 1
      tc -n "$1" class add dev "$2" parent 1: classid 1:1 htb rate "$RATE" ceil "$RATE"
      if [ -n "$QUEUE" ]; then tc -n "$1" qdisc add dev "$2" parent 1:1 handle 10: pfifo limit "$QUEUE"; fi
    done
  fi
  # Loss without netem: random drops in the operator's forward path, both directions.
  if [ -n "$LOSS" ] && [ "$LOSS" != 0 ]; then
    if [ "$LOSS" = 100 ]; then
      nsx "$ns" nft add rule inet testbed loss drop
    else
      nsx "$ns" nft add rule inet testbed loss numgen random mod 100 '<' "$LOSS" drop
    fi
  fi
}

link() {
  [[ "$UPLINK" =~ ^[1-9]$ ]] || die "link needs --uplink 1..$UPLINKS"
  case "$LINKSTATE" in
    up|down) ip -n "$RT" link set "wan$UPLINK" "$LINKSTATE" ;;
    *) die "link needs up or down" ;;
  esac
  if [ "$LINKSTATE" = up ]; then
    # The kernel dropped the routes through a downed device; put the main-table ones back.
    ip -n "$RT" route replace default via "100.64.$UPLINK.1" metric $((UPLINK * 10))
    ip -n "$RT" -6 route replace default via "fd64:$UPLINK::1" metric $((UPLINK * 10))
  fi
}

case "$CMD" in
  up) up ;;
  down) down; echo "testbed $PREFIX down" ;;
  status) status ;;
  shape) shape ;;
  link) link ;;
  *) die "usage: testbed.sh [--prefix P] [--uplinks N] up|down|status|shape|link" ;;
esac
