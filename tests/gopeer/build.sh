#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/gopeer/build.sh OUT   builds the Go peer (main.go beside this script)
# to OUT, offline: Debian's golang-go and golang-github-flynn-noise-dev, in
# GOPATH mode, with a scratch GOPATH and GOCACHE under build/gopeer/.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
noise=/usr/share/gocode/src/github.com/flynn/noise

if (($# != 1)); then
	echo "usage: tests/gopeer/build.sh OUT" >&2
	exit 2
fi
out=$1
[[ $out == /* ]] || out=$PWD/$out
if ! command -v go >/dev/null; then
	echo "tests/gopeer/build.sh: go is not installed (apt-get install golang-go)" >&2
	exit 1
fi
if [[ ! -f $noise/state.go ]]; then
	echo "tests/gopeer/build.sh: flynn/noise is not installed in $noise (apt-get install golang-github-flynn-noise-dev)" >&2
	exit 1
fi
scratch=$top/build/gopeer
mkdir -p "$scratch/gopath" "$scratch/gocache" "$(dirname "$out")"
cd "$top/tests/gopeer"
GO111MODULE=off GOPROXY=off GOFLAGS='' GOPATH="$scratch/gopath:/usr/share/gocode" \
	GOCACHE="$scratch/gocache" go build -o "$out" .
