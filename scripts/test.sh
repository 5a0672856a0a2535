#!/usr/bin/env bash
# planpress: run every test.
#
#   scripts/test.sh
#
# 1. installs system packages the browser tests need (Chromium, Noto CJK
#    fonts, poppler-utils, Java) when they are missing — Debian/Ubuntu only
# 2. installs the pinned Node test dependencies (tests/browser, npm ci), runs
#    ESLint + Prettier and checks that search.js is the bundle of src/search/js/
# 3. cargo fmt --check, cargo clippy -D warnings, cargo test --all-targets
# 4. cargo build --release, then builds the example site (repository root)
#    and every tests/fixtures/*/ site into a temporary directory
# 5. runs the browser tests (axe-core, CSP/console/network, vnu) on them
#
# Works on a fresh machine and in CI (no stdin needed). Exits non-zero on any
# failure. Env: KEEP_OUTPUT=1 keeps the built sites; A11Y_CONCURRENCY=N.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
PREFIX=/sub/planpress/
START=$SECONDS
STEP="setup"

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
  BOLD=$'\e[1m' RED=$'\e[31m' GREEN=$'\e[32m' RESET=$'\e[0m'
else
  BOLD='' RED='' GREEN='' RESET=''
fi
step() {
  STEP=$1
  printf '\n%s==> %s%s\n' "$BOLD" "$1" "$RESET"
}

T=$(mktemp -d "${TMPDIR:-/tmp}/planpress-test.XXXXXX")
finish() {
  local rc=$?
  local elapsed=$((SECONDS - START))
  if [[ $rc -eq 0 ]]; then
    [[ -n "${KEEP_OUTPUT:-}" ]] && echo "built sites kept in $T" || rm -rf "$T"
    printf '\n%s✔ scripts/test.sh: all tests passed (%ss)%s\n' "$GREEN$BOLD" "$elapsed" "$RESET"
  else
    echo "built sites kept for inspection in $T"
    printf '\n%s✘ scripts/test.sh: FAILED at step "%s" (exit %s, %ss)%s\n' "$RED$BOLD" "$STEP" "$rc" "$elapsed" "$RESET"
  fi
  exit "$rc"
}
trap finish EXIT

# ---------------------------------------------------------------- system packages
step "system packages"
have_cjk_fonts() {
  compgen -G '/usr/share/fonts/opentype/noto/NotoSansCJK-*.ttc' >/dev/null ||
    compgen -G '/usr/share/fonts/opentype/noto/NotoSansCJKjp-*.otf' >/dev/null
}
pkgs=()
[[ -x /usr/bin/chromium ]] || pkgs+=(chromium)
have_cjk_fonts || pkgs+=(fonts-noto-cjk)
command -v pdftoppm >/dev/null || pkgs+=(poppler-utils)
command -v java >/dev/null || pkgs+=(default-jre-headless)
if ((${#pkgs[@]})); then
  echo "installing: ${pkgs[*]}"
  SUDO=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null; then
      if [[ -t 0 ]]; then SUDO=(sudo); else SUDO=(sudo -n); fi
    else
      echo "error: need root or sudo to install ${pkgs[*]}" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi
for cmd in node npm cargo java; do
  command -v "$cmd" >/dev/null || { echo "error: $cmd is not installed" >&2; exit 1; }
done
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null)"
echo "node $(node --version), $(java -version 2>&1 | head -n1), $(cargo --version)"

# ---------------------------------------------------------------- node deps
step "npm ci (tests/browser)"
# --ignore-scripts: nothing we use needs install scripts (vnu-jar ships the
# jar; its postinstall would only try to download a JRE from GitHub).
(cd tests/browser && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)

step "lint (JavaScript)"
# ESLint + Prettier over src/search/js/, scripts/, tests/browser/ and the theme's scripts;
# then the theme's search.js must be the bundle of src/search/js/ (the binary embeds it).
(cd tests/browser && npm run lint)
node scripts/bundle-search.mjs --check

# ---------------------------------------------------------------- rust
step "cargo fmt --check, cargo clippy"
cargo fmt --check || { echo "error: run 'cargo fmt' (rustfmt.toml holds the settings)" >&2; exit 1; }
cargo clippy --all-targets -- -D warnings

step "cargo test --all-targets"
cargo test --all-targets

step "cargo build --release"
cargo build --release
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET_DIR/release/planpress
[[ -x "$BIN" ]] || { echo "error: $BIN was not built" >&2; exit 1; }

# ---------------------------------------------------------------- build sites
step "build example site and fixtures into $T"
# The sites are served under $PREFIX by the browser tests; base_url is only
# used for the sitemap, canonical URLs and the 404 page (whose links must work
# at any depth), so point it at the test prefix when the CLI supports it.
build_args=()
if "$BIN" build --help 2>/dev/null | grep -q -- '--base-url'; then
  build_args+=(--base-url "$PREFIX")
else
  echo "note: 'planpress build' has no --base-url; 404 page links may not match $PREFIX"
fi

sites=()
build_site() { # name root
  local name=$1 root=$2
  echo "-- $name ($root)"
  "$BIN" build --root "$root" --output "$T/$name" "${build_args[@]}"
  sites+=("$name" "$T/$name")
}
build_site example .
for toml in tests/fixtures/*/site.toml; do
  [[ -e "$toml" ]] || continue
  dir=$(dirname "$toml")
  build_site "$(basename "$dir")" "$dir"
done

# ---------------------------------------------------------------- browser tests
step "browser tests (axe-core, CSP/console/network, Nu HTML Checker)"
SITES=$(node -e '
  const a = process.argv.slice(1), out = [];
  for (let i = 0; i < a.length; i += 2) out.push({ name: a[i], dir: a[i + 1] });
  console.log(JSON.stringify(out));' "${sites[@]}")
export SITES PREFIX
(cd tests/browser && node --test --test-reporter=spec)

STEP=done
