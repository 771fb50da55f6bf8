#!/usr/bin/env bash
# One-time (idempotent) set-up on Debian 12: system packages, npm packages, the TypeScript build,
# the bundled example apps (the real-app examples use Debian's lighttpd and python3; go-http is built with Debian's Go). Fast when everything is already there.
# umoci and skopeo build, offline, the container images that the image tests read and the example
# images in examples/images/ (scripts/example-images.mjs, after the examples and dist/ it reads).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  linux-source-6.1 linux-config-6.1 linux-source-6.12 linux-config-6.12 qemu-system-x86 busybox-static ccache
  gcc make flex bison bc libelf-dev libssl-dev cpio curl xz-utils file strace
  openssh-server openssh-client distcc
  musl-tools zstd lz4 umoci skopeo squashfs-tools e2fsprogs
  lighttpd python3 golang-go
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: these Debian packages are missing and installing them needs root: ${missing[*]}" >&2
    echo "setup: run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "setup: building" >&2
npx tsc -p tsconfig.json
chmod +x dist/cli/main.js
make -s -C examples/hello-http
make -s -C examples/go-http
# tinyx's own guest init (src/packager/tinyx-init.ts says where and how): static, against musl;
# written under a temporary name and renamed, so a test reading it never sees a torn file.
if [[ ! -x build/tinyx-init || src/packager/tinyx-init.c -nt build/tinyx-init ]]; then
  mkdir -p build
  musl-gcc -static -Os -s -Wall -Wextra -Werror -o "build/tinyx-init.$$" src/packager/tinyx-init.c
  mv -f "build/tinyx-init.$$" build/tinyx-init
fi
# The example container images: each rebuilt only when what it is built from changed.
node scripts/example-images.mjs
