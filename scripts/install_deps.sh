#!/usr/bin/env bash
# Installs every Debian 12 package zsim needs to build, test, benchmark and plot (and valgrind,
# for `make valgrind`).
# It asks apt only about packages that are missing, so a machine that has them all
# pays a dpkg query and nothing else. Every make target calls it first.
set -euo pipefail

packages=(
  build-essential cmake pkg-config make git
  clang libclang-rt-14-dev
  libboost-dev
  nlohmann-json3-dev
  librapidcheck-dev
  libhiredis-dev
  libbenchmark-dev
  libgtest-dev libgmock-dev googletest
  libsodium-dev
  libcli11-dev
  libfmt-dev
  libxxhash-dev
  redis-server redis-tools
  valgrind
  gnuplot-nox
  python3 python3-jsonschema
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$package")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "install_deps: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
