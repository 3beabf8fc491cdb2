#!/bin/sh
# Lays out the compose demo federation, once: an authority key, one identity and
# config per gateway, and a roster signed by that authority listing them all.
# Every value is taken from what the lifeline commands print or write, never
# typed in twice, so the configs and the roster cannot disagree.
#
# Runs as the `mesh-init` service of docker-compose.yml, or by hand:
#   MESH_DIR=/tmp/mesh LIFELINE="node node/cli/bin.ts" sh dashboards/compose/init-mesh.sh
#
#   MESH_DIR   where to write (default /mesh): authority/ and one folder per gateway,
#              each of which a gateway mounts as its /data
#   GATEWAYS   gateway names, which are also their compose service names
#   SINK_URL   base URL of the demo service that takes delivered messages
#   OWNER      uid:gid to hand the gateway folders to (the image's `node` user)
set -eu

MESH_DIR=${MESH_DIR:-/mesh}
GATEWAYS=${GATEWAYS:-gateway-a gateway-b gateway-c}
SINK_URL=${SINK_URL:-http://sink:9000}
OWNER=${OWNER:-1000:1000}
LIFELINE=${LIFELINE:-node /app/node/cli/bin.ts}
AUTH="$MESH_DIR/authority"

if [ -f "$AUTH/roster.json" ]; then
  echo "mesh already initialised in $MESH_DIR; remove the volumes to start over"
  exit 0
fi

lifeline() { $LIFELINE "$@"; }
# Reads one field of the JSON document on stdin (the image has node, not jq).
field() {
  node -e 'const doc = JSON.parse(require("fs").readFileSync(0, "utf8"))
    process.stdout.write(String(doc[process.argv[1]]))' "$1"
}

mkdir -p "$AUTH"
lifeline authority init --out "$AUTH" >/dev/null
AUTHORITY_KEY=$(cat "$AUTH/authority.pub")
DRAFT="$AUTH/roster-draft.yaml"
lifeline roster new --federation lifeline-compose --out "$DRAFT" >/dev/null

for gw in $GATEWAYS; do
  info=$(lifeline init --dir "$MESH_DIR/$gw" --name "$gw" --authority-key "$AUTHORITY_KEY" --json)
  lifeline roster add-member "$DRAFT" --name "$gw" \
    --peer-id "$(printf '%s' "$info" | field peerId)" \
    --encryption-key "$(printf '%s' "$info" | field encryptionKey)" \
    --address "/dns4/$gw/tcp/4001" >/dev/null
  lifeline roster allow "$DRAFT" --member "$gw" --service inbox --caller '*' >/dev/null
done
lifeline roster sign "$DRAFT" --key "$AUTH/authority.key" --out "$AUTH/roster.json" \
  --valid-for 365d

# Each gateway dials the ones listed after it and accepts the ones before it,
# so every pair is connected by exactly one dialler.
before=""
for gw in $GATEWAYS; do
  after=""
  seen=no
  for other in $GATEWAYS; do
    if [ "$other" = "$gw" ]; then seen=yes; elif [ $seen = yes ]; then after="$after $other"; fi
  done
  {
    echo "# Written by dashboards/compose/init-mesh.sh for the compose demo."
    echo "name: $gw"
    echo "dataDir: ."
    echo "listen: [/ip4/0.0.0.0/tcp/4001]"
    echo "announce: [/dns4/$gw/tcp/4001]"
    echo "discovery: static"
    echo "neighbours:"
    for other in $before; do echo "  - { name: $other }"; done
    for other in $after; do echo "  - { name: $other, addresses: [/dns4/$other/tcp/4001] }"; done
    echo "roster: roster.json"
    echo "authorityKey: $AUTHORITY_KEY"
    echo "# Reachable on the compose network so Prometheus can scrape /metrics. No tokens:"
    echo "# this is a demo; give a real gateway tokens (lifeline token) and a private API."
    echo "api: { host: 0.0.0.0, port: 8080 }"
    echo "services:"
    echo "  - { name: inbox, url: $SINK_URL/$gw/inbox }"
  } >"$MESH_DIR/$gw/lifeline.yaml"
  cp "$AUTH/roster.json" "$MESH_DIR/$gw/roster.json"
  before="$before $gw"
done

# The gateways run as an unprivileged user; their folders, keys included, are theirs alone.
if [ "$(id -u)" = 0 ]; then
  for gw in $GATEWAYS; do chown -R "$OWNER" "$MESH_DIR/$gw"; done
fi
for gw in $GATEWAYS; do chmod 0700 "$MESH_DIR/$gw"; chmod 0600 "$MESH_DIR/$gw/lifeline.yaml"; done
echo "mesh initialised: $GATEWAYS"
