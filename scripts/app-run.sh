#!/usr/bin/env bash
# Builds and starts the scancase desktop app on Debian or Ubuntu: installs the missing
# system packages with apt-get, builds ui/ and the app with ui/dist embedded, and runs it.
# Arguments are passed to `cargo build`, for example --release.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib-app.sh
source "$root/scripts/lib-app.sh"

install_packages "${TAURI_BUILD_PACKAGES[@]}"
command -v npm >/dev/null || install_packages nodejs npm
build_ui "$root"

profile=debug
for argument in "$@"; do
  [[ $argument == --release ]] && profile=release
done
cargo build --manifest-path "$root/src-tauri/Cargo.toml" --features custom-protocol "$@"

target_dir=$(cargo metadata --manifest-path "$root/Cargo.toml" --format-version 1 --no-deps \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
app="$target_dir/$profile/scancase-app"
if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} ]]; then
  echo "no display found (DISPLAY and WAYLAND_DISPLAY are unset); run this from a desktop session, or under xvfb-run -a" >&2
  exit 1
fi
exec "$app"
