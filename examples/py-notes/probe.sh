#!/bin/sh
# Test for notes.py under tinyx: it answers JSON, stores a posted note and lists it.
# With EXPECT_USER / EXPECT_CWD / EXPECT_GREETING set, also checks how it was started.
url="http://${TINYX_HOST:-127.0.0.1}:${TINYX_PORT:-8000}"

deadline=$(( $(date +%s) + 15 ))
while :; do
  info=$(curl -sS --max-time 3 "$url/" 2>/dev/null) && break
  [ "$(date +%s)" -ge "$deadline" ] && break
  sleep 0.5
done
fail() { echo "probe: $*" >&2; exit 1; }
case "$info" in *'"app": "notes"'*) ;; *) fail "GET / answered '$info'" ;; esac
for pair in "user:${EXPECT_USER:-}" "cwd:${EXPECT_CWD:-}" "greeting:${EXPECT_GREETING:-}"; do
  key=${pair%%:*}; want=${pair#*:}
  [ -z "$want" ] && continue
  case "$info" in *"\"$key\": \"$want\""*) ;; *) fail "GET / answered '$info', expected $key $want" ;; esac
done
created=$(curl -sS --max-time 3 -X POST -H 'Content-Type: application/json' -d '{"text": "tiny"}' "$url/notes") || fail "POST /notes failed"
case "$created" in *'"count": '*) ;; *) fail "POST /notes answered '$created'" ;; esac
notes=$(curl -sS --max-time 3 "$url/notes") || fail "GET /notes failed"
case "$notes" in *'"text": "tiny"'*) ;; *) fail "GET /notes answered '$notes'" ;; esac
echo "probe: ok"
