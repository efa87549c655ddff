#!/usr/bin/env bash
# Build the binary to hand out, lean (no demo cluster) and full, and print their sizes; with
# cargo-bloat installed, also the crates that make up the lean one.
#   scripts/binary-size.sh            # profile `dist` (fat LTO, one codegen unit, stripped)
#   PROFILE=release scripts/binary-size.sh
#   BLOAT=0 scripts/binary-size.sh     # skip cargo-bloat (it rebuilds every crate unstripped)
# Honours CARGO_TARGET_DIR. Not run by CI: a `dist` build takes many minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

PROFILE=${PROFILE:-dist}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
BIN="$TARGET_DIR/$PROFILE/kubedeck"

size_of() { stat -c %s "$1" 2>/dev/null || stat -f %z "$1"; }
human() { awk -v b="$1" 'BEGIN { printf "%.1f MB (%.1f MiB)", b / 1e6, b / 1048576 }'; }

cargo build --locked --profile "$PROFILE" -p kubedeck --bin kubedeck --no-default-features
lean=$(size_of "$BIN")
cp "$BIN" "$BIN-lean"
cargo build --locked --profile "$PROFILE" -p kubedeck --bin kubedeck
full=$(size_of "$BIN")

echo
echo "profile $PROFILE"
echo "lean (--no-default-features): $lean bytes, $(human "$lean")  $BIN-lean"
echo "full (with the demo cluster): $full bytes, $(human "$full")  $BIN"
echo "the demo cluster costs:       $((full - lean)) bytes, $(human $((full - lean)))"

if [ "${BLOAT:-1}" != 0 ] && cargo bloat --version >/dev/null 2>&1; then
    # cargo-bloat needs the symbols: the same profile unstripped (a separate build of the crates).
    echo
    echo "what makes up the lean binary (unstripped: .text by crate):"
    CARGO_PROFILE_$(echo "$PROFILE" | tr 'a-z-' 'A-Z_')_STRIP=false \
        cargo bloat --locked --profile "$PROFILE" -p kubedeck --bin kubedeck --no-default-features \
        --crates -n 20
fi
