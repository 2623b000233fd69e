#!/usr/bin/env bash
# Builds an installable Debian package of the scancase desktop app: installs the missing
# build packages with apt-get, builds ui/ and runs the Tauri CLI (from ui/node_modules) to
# make a release build and bundle it. Prints the path of the .deb it wrote.
#
# Install it with `sudo apt install ./scancase_VERSION_amd64.deb`; apt pulls in WebKitGTK.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib-app.sh
source "$root/scripts/lib-app.sh"

install_packages "${TAURI_BUILD_PACKAGES[@]}"
command -v npm >/dev/null || install_packages nodejs npm
build_ui "$root"

# `tauri build` finds src-tauri/tauri.conf.json below the working folder and builds with the
# custom-protocol feature, so ui/dist is embedded.
cd "$root"
"$root/ui/node_modules/.bin/tauri" build --bundles deb

target_dir=$(cargo metadata --manifest-path "$root/Cargo.toml" --format-version 1 --no-deps \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
ls "$target_dir"/release/bundle/deb/*.deb
