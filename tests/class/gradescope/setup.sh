#!/usr/bin/env bash
# setup.sh — Gradescope runs this once, as root, when it builds the autograder's image (an Ubuntu
# image; network allowed). It installs what the kit needs and builds the rootfs, so that each
# submission's run only builds and grades.
#
# The bundle (make gradescope-bundle) unpacks into /autograder/source:
#   setup.sh  run_autograder  README.md  kit/ (the kit students have, no solutions)  hidden/ (opt.)
set -euo pipefail
src=${AUTOGRADER_ROOT:-/autograder}/source
cd "$src/kit"

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# make first (install-deps is run by make); install-deps adds the rest from the archive, and
# bats-core + bats-assert + bats-support from npm, pinned by the kit's package-lock.json.
apt-get install -y -qq --no-install-recommends make ca-certificates >/dev/null
tests/install-deps
make -s rootfs
mkdir -p build && touch build/.deps
chmod +x "$src/run_autograder"
echo "setup.sh: kit ready in $src/kit ($(node_modules/bats/bin/bats --version), rootfs built)"
