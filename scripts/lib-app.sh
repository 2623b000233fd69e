# Shared steps of scripts/app-run.sh and scripts/app-e2e.sh; sourced, not run.

# Installs the Debian packages given when any of them is missing (needs root or sudo).
install_packages() {
  local missing=()
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    return 0
  fi
  echo "installing ${missing[*]}" >&2
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Packages that building and running a Tauri 2 app on Debian or Ubuntu needs.
TAURI_BUILD_PACKAGES=(libwebkit2gtk-4.1-dev build-essential pkg-config curl)

# Builds ui/dist from the committed lock file.
build_ui() {
  local root=$1
  (cd "$root/ui" && npm ci --no-audit --no-fund && npm run build)
}
