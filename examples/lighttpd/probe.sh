#!/bin/sh
# Test for Debian's lighttpd under tinyx: the index page and a JSON file with its MIME type.
# tinyx sets TINYX_HOST and TINYX_PORT (forwarded to the guest's port 80).
url="http://${TINYX_HOST:-127.0.0.1}:${TINYX_PORT:-80}"

# Retry for ~10 s: QEMU's port forward accepts before the guest's server listens.
deadline=$(( $(date +%s) + 10 ))
while :; do
  body=$(curl -sS --max-time 2 "$url/" 2>/dev/null) && break
  [ "$(date +%s)" -ge "$deadline" ] && break
  sleep 0.5
done
case "$body" in
  *'hello from lighttpd'*) ;;
  *) echo "probe: GET $url/ answered '$body'" >&2; exit 1 ;;
esac
type=$(curl -sS --max-time 2 -o /dev/null -w '%{content_type}' "$url/status.json")
if [ "$type" != "application/json" ]; then
  echo "probe: GET $url/status.json has Content-Type '$type', expected application/json" >&2
  exit 1
fi
echo "probe: ok"
