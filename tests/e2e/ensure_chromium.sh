#!/bin/sh
# Browser tests drive Debian's Chromium (no browser download). Install it when missing and we may.
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "== installing Debian's chromium for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-thai-tlwg >/dev/null
else
  echo "== /usr/bin/chromium is missing: install Debian's 'chromium' package (sudo apt-get install chromium);"
  echo "   browser tests (marker e2e) will be skipped"
fi
