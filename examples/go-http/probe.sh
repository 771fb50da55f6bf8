#!/bin/sh
# Test for go-http under tinyx: GET / and GET /health on the forwarded port must answer their fixed bodies.
# tinyx sets TINYX_HOST, TINYX_PORT (forwarded to the guest's port 8080) and TINYX_CONSOLE.
host=${TINYX_HOST:-127.0.0.1}
port=${TINYX_PORT:-8080}
url="http://$host:$port/"
expected='hello from go-http'

# Retry for ~10 s: QEMU's port forward accepts before the guest's server listens.
deadline=$(( $(date +%s) + 10 ))
body=
while :; do
  body=$(curl -sS --max-time 2 "$url" 2>/dev/null) && break
  [ "$(date +%s)" -ge "$deadline" ] && break
  sleep 0.5
done
if [ "$body" != "$expected" ]; then
  echo "probe: GET $url answered '${body}', expected '$expected'" >&2
  exit 1
fi
health=$(curl -sS --max-time 2 "${url}health" 2>/dev/null)
if [ "$health" != "ok" ]; then
  echo "probe: GET ${url}health answered '${health}', expected 'ok'" >&2
  exit 1
fi
echo "probe: ok"
