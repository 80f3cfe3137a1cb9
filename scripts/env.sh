# shellcheck shell=bash
# Sourced by every script: one build environment for everything (server, wasm, tests), so that no
# build invalidates another's cache. Nothing here installs anything; scripts/setup does.
#
# Caches live outside the checkout, per user, so that a fresh clone (CI) reuses them:
#   $INKROOM_CACHE/target-<toolchain>   cargo target dir (server, wasm, tests)
#   $INKROOM_CACHE/tools                wasm-bindgen CLI, pinned to Cargo.lock's version
#   $INKROOM_CACHE/npm                  npm download cache
#   $INKROOM_CACHE/shim                 links that put Debian's toolchain first on PATH

INKROOM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export INKROOM_ROOT
export INKROOM_CACHE="${INKROOM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/inkroom}"
SHIM="$INKROOM_CACHE/shim"

# The wasm32 target: rustup's if installed (a normal developer machine), otherwise Debian's
# rustc-web with std built from source (see docs/toolchain.md). The choice is recorded by setup so
# it never flips between runs, which would invalidate every cache.
if [ -z "${INKROOM_TOOLCHAIN:-}" ]; then
  if [ -f "$INKROOM_CACHE/toolchain" ]; then
    INKROOM_TOOLCHAIN="$(cat "$INKROOM_CACHE/toolchain")"
  elif command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    INKROOM_TOOLCHAIN=rustup
  else
    INKROOM_TOOLCHAIN=debian
  fi
fi
export INKROOM_TOOLCHAIN

WASM_CARGO_FLAGS=()
if [ "$INKROOM_TOOLCHAIN" = debian ]; then
  # rustup's proxies come first on PATH; the shim folder puts Debian's cargo/rustc before them.
  export PATH="$SHIM:$PATH"
  # Debian's rustc-web builds std for wasm32 from source, an unstable cargo feature.
  export RUSTC_BOOTSTRAP=1
  WASM_CARGO_FLAGS=(-Zbuild-std=std,panic_abort)
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$INKROOM_CACHE/target-$INKROOM_TOOLCHAIN}"
export PATH="$INKROOM_CACHE/tools/bin:$PATH"
export npm_config_cache="$INKROOM_CACHE/npm"

# Link the native binaries with lld when it is installed: incremental server links take a third
# of the time. Set unconditionally (not only when present) would break machines without it.
if [ -x "$SHIM/cc-lld" ]; then
  export CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER="$SHIM/cc-lld"
fi

# Leptos reads the output name at compile time; keep it identical for every build.
export LEPTOS_OUTPUT_NAME=inkroom
export LEPTOS_SITE_PKG_DIR=pkg
SITE_DIR="$CARGO_TARGET_DIR/site"
export LEPTOS_SITE_ROOT="$SITE_DIR"

# The wasm-bindgen version pinned in Cargo.lock (the CLI must match it exactly).
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$INKROOM_ROOT/Cargo.lock"
}

# A free TCP port on the loopback interface.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }
