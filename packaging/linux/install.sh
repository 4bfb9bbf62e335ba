#!/bin/sh
# Install LlamaDesk for this user (no root needed):
#   ./install.sh                 into ~/.local/share/LlamaDesk-app
#   ./install.sh --prefix DIR    into DIR/share/LlamaDesk-app, entries under DIR/share
# Registers the desktop entry and icons, and links DIR/bin/llamadesk. Your chats and models
# are kept elsewhere (~/.local/share/LlamaDesk) and survive reinstalls and uninstall.sh.
set -eu

prefix="$HOME/.local"
if [ "${1:-}" = "--prefix" ] && [ -n "${2:-}" ]; then
  prefix="$2"
elif [ $# -gt 0 ]; then
  echo "usage: $0 [--prefix DIR]" >&2
  exit 2
fi

here="$(cd "$(dirname "$0")" && pwd)"
app="$prefix/share/LlamaDesk-app"
applications="$prefix/share/applications"
icons="$prefix/share/icons/hicolor"
bin="$prefix/bin"

# Copy to a new folder, then swap: a failed copy leaves the old version working.
mkdir -p "$prefix/share"
rm -rf "$app.new"
cp -R "$here/LlamaDesk" "$app.new"
rm -rf "$app"
mv "$app.new" "$app"

mkdir -p "$bin"
ln -sf "$app/llamadesk" "$bin/llamadesk"

for png in "$here"/share/icons/llamadesk-*.png; do
  size="${png##*-}"
  size="${size%.png}"
  mkdir -p "$icons/${size}x${size}/apps"
  cp "$png" "$icons/${size}x${size}/apps/llamadesk.png"
done

mkdir -p "$applications"
# An absolute Exec: the menu works even when $bin is not on the PATH.
sed "s|^Exec=.*|Exec=\"$app/llamadesk\"|" "$here/share/llamadesk.desktop" \
  >"$applications/llamadesk.desktop"

# Menus re-read the folders when they change; the database helps older desktops, and a newer
# time on the icon folder tells icon caches to look again.
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$applications" || true
touch "$icons"

echo "LlamaDesk installed in $app"
echo "Start it from your applications menu, or run: $bin/llamadesk"
