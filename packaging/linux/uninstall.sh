#!/bin/sh
# Remove what install.sh installed (same --prefix). Your chats, settings and models stay in
# ~/.local/share/LlamaDesk and ~/.config/LlamaDesk: delete those yourself to remove them too.
set -eu

prefix="$HOME/.local"
if [ "${1:-}" = "--prefix" ] && [ -n "${2:-}" ]; then
  prefix="$2"
elif [ $# -gt 0 ]; then
  echo "usage: $0 [--prefix DIR]" >&2
  exit 2
fi

rm -rf "$prefix/share/LlamaDesk-app"
rm -f "$prefix/share/applications/llamadesk.desktop"
rm -f "$prefix"/share/icons/hicolor/*/apps/llamadesk.png
# Only our own link: a llamadesk that pip installed there is left alone.
link="$prefix/bin/llamadesk"
if [ -L "$link" ] && [ "$(readlink "$link")" = "$prefix/share/LlamaDesk-app/llamadesk" ]; then
  rm -f "$link"
fi
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$prefix/share/applications" || true

echo "LlamaDesk removed from $prefix (your chats and models were kept)."
