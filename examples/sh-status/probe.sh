#!/bin/sh
# Test for status.sh under tinyx: the page it wrote is served, with the expected lines
# (EXPECT_USER / EXPECT_GREETING, when set).
url="http://${TINYX_HOST:-127.0.0.1}:${TINYX_PORT:-8080}/"
deadline=$(( $(date +%s) + 10 ))
while :; do
  page=$(curl -sS --max-time 2 "$url" 2>/dev/null) && break
  [ "$(date +%s)" -ge "$deadline" ] && break
  sleep 0.5
done
fail() { echo "probe: $*" >&2; exit 1; }
case "$page" in *'status: up'*) ;; *) fail "GET $url answered '$page'" ;; esac
if [ -n "${EXPECT_USER:-}" ]; then case "$page" in *"user: $EXPECT_USER"*) ;; *) fail "expected user $EXPECT_USER in '$page'" ;; esac; fi
if [ -n "${EXPECT_GREETING:-}" ]; then case "$page" in *"greeting: $EXPECT_GREETING"*) ;; *) fail "expected greeting $EXPECT_GREETING in '$page'" ;; esac; fi
echo "probe: ok"
