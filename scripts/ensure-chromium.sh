#!/usr/bin/env bash
# Makes sure the system Chromium the browser tests drive is installed (Debian/Ubuntu package
# "chromium" at /usr/bin/chromium, or CHROMIUM_PATH). Installs it only when running as root on a
# machine with apt-get; otherwise says what to do. Exit 0 = ready.
set -euo pipefail

chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$chromium_path" ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1 && [ -z "${CHROMIUM_PATH:-}" ]; then
  echo "ensure-chromium: installing Debian's chromium package for the browser tests…" >&2
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; then
    if [ -x "$chromium_path" ]; then
      exit 0
    fi
  fi
  echo "ensure-chromium: installing chromium with apt-get failed; see the messages above." >&2
  exit 1
fi

cat >&2 <<MSG
ensure-chromium: no Chromium at $chromium_path, and it cannot be installed from here.
The browser tests drive the system Chromium. Install it, then run the tests again:
  sudo apt-get update && sudo apt-get install -y chromium        (Debian, Ubuntu)
or point CHROMIUM_PATH at an existing Chromium or Chrome binary:
  CHROMIUM_PATH=/path/to/chromium npm test
MSG
exit 1
