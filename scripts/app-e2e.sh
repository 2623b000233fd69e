#!/usr/bin/env bash
# Tests of the scancase desktop app: runs the app crate's Rust tests, builds ui/ and the app
# with ui/dist embedded, starts tauri-driver on 127.0.0.1:4444 under Xvfb and runs the
# end-to-end tests in ui/e2e/ with Node. Exits non-zero when a step or a test fails.
#
# Options:
#   --screenshots   also save a screenshot of each screen as docs/app-*.png
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
driver_port=4444

if [[ ${1:-} != --under-xvfb ]]; then
  # shellcheck source=scripts/lib-app.sh
  source "$root/scripts/lib-app.sh"
  install_packages "${TAURI_BUILD_PACKAGES[@]}" webkit2gtk-driver xvfb xauth
  if ! command -v tauri-driver >/dev/null; then
    cargo install tauri-driver --version '^2' --locked
  fi
  build_ui "$root"
  # Both with the feature that embeds ui/dist, so tauri is compiled once.
  cargo test --locked --manifest-path "$root/src-tauri/Cargo.toml" --features custom-protocol
  cargo build --locked --manifest-path "$root/src-tauri/Cargo.toml" --features custom-protocol
  # The window is 1366×768; the default Xvfb screen is smaller.
  exec xvfb-run -a -s "-screen 0 1600x900x24" "$0" --under-xvfb "$@"
fi
shift

screenshots=""
if [[ ${1:-} == --screenshots ]]; then
  screenshots="$root/docs"
fi

target_dir=$(cargo metadata --manifest-path "$root/Cargo.toml" --format-version 1 --no-deps \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
export SCANCASE_APP="$target_dir/debug/scancase-app"
export SCANCASE_SCREENSHOTS="$screenshots"
export TAURI_DRIVER_URL="http://127.0.0.1:$driver_port/"
# The app keeps its recent cases in its config folder; the tests get an empty one of their own.
XDG_CONFIG_HOME=$(mktemp -d -t scancase-e2e-config.XXXXXX)
export XDG_CONFIG_HOME

log=$(mktemp -t tauri-driver.XXXXXX.log)
tauri-driver --port "$driver_port" >"$log" 2>&1 &
driver_pid=$!
trap 'kill "$driver_pid" 2>/dev/null || true; wait "$driver_pid" 2>/dev/null || true' EXIT

for _ in $(seq 1 50); do
  if curl -fsS "http://127.0.0.1:$driver_port/status" >/dev/null 2>&1; then
    break
  fi
  if ! kill -0 "$driver_pid" 2>/dev/null; then
    echo "tauri-driver stopped before it was ready:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.2
done

cd "$root/ui"
if ! npm run --silent e2e; then
  echo "end-to-end tests failed; tauri-driver log: $log" >&2
  exit 1
fi
