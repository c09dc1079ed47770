#!/bin/sh
# Serves the dependencies from a GOPROXY directory (no network), then builds for each target.
set -eu
proxy=/tmp/proxy
for dir in /deps/*; do
  mod=$(basename "$dir"); path=example.com/${mod%@*}; version=${mod#*@}
  mkdir -p "$proxy/$path/@v" "/tmp/zip/$path@$version"
  cp -r "$dir"/. "/tmp/zip/$path@$version/"
  (cd /tmp/zip && zip -qr "$proxy/$path/@v/$version.zip" "$path@$version")
  cp "$dir/go.mod" "$proxy/$path/@v/$version.mod"
  echo "{\"Version\":\"$version\"}" > "$proxy/$path/@v/$version.info"
  echo "$version" >> "$proxy/$path/@v/list"
done
export GOPROXY=file://$proxy GOSUMDB=off GOFLAGS=-mod=mod GOPATH=/tmp/gopath GOCACHE=/tmp/gocache CGO_ENABLED=0
cd /module
for arch in amd64 s390x 386; do GOARCH=$arch /usr/lib/go-1.15/bin/go build -o /out/hello-$arch .; done
