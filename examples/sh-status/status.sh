#!/bin/sh
# A status page made by a shell script: it writes who it runs as and where into a web
# directory under /tmp, then hands over to BusyBox's httpd on $PORT (default 8080).
set -eu
www="${TMPDIR:-/tmp}/sh-status.$$"
mkdir -p "$www"
cat > "$www/index.html" <<PAGE
status: up
user: $(id -un)
cwd: $(pwd)
greeting: ${GREETING:-}
PAGE
exec busybox httpd -f -p "${PORT:-8080}" -h "$www"
