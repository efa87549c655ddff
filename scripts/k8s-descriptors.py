#!/usr/bin/env python3
"""Writes sim/proto/k8s-v1_35.binpb: Kubernetes' protobuf message descriptors for the demo cluster.

The demo server decodes the `application/vnd.kubernetes.protobuf` request bodies that kubectl and
client-go send (sim/src/proto.rs). It needs the descriptors of Kubernetes' generated.proto files,
which this script takes from the crates.io crate k8s-rs-pb 0.5.0 (Apache-2.0; generated from
Kubernetes v1.35's generated.proto by rust-protobuf): each of its `src/v1_35/**/mod.rs` embeds its
file's serialized FileDescriptorProto as `static file_descriptor_proto_data: &'static [u8] = b"...";`.
The script reads those Rust byte-string literals and writes them, in dependency order, as one
google.protobuf.FileDescriptorSet (field 1, repeated FileDescriptorProto). The crate's packages
are named without the `k8s.io.` prefix (`api.core.v1.Pod`, `apimachinery.pkg.runtime.Unknown`).

Re-run (after `cargo fetch` or any build has put the crate in cargo's registry, e.g. by adding
`k8s-rs-pb = "=0.5.0"` to a scratch crate):
    python3 scripts/k8s-descriptors.py [PATH/TO/k8s-rs-pb-0.5.0]
Only the standard library is used.
"""

import glob
import os
import re
import sys

CRATE = "k8s-rs-pb-0.5.0"
VERSION_DIR = "src/v1_35"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sim", "proto", "k8s-v1_35.binpb")
# Groups the demo cluster serves, and what their files import; alpha/beta versions and
# aggregated APIs (metrics, custom metrics) stay out to keep the file small.
KEEP = re.compile(
    r"^(api/[a-z]+/v\d+|apimachinery/pkg/(apis/meta/v1|api/resource|runtime|runtime/schema|util/intstr)"
    r"|apiextensions_apiserver/pkg/apis/apiextensions/v1|kube_aggregator/pkg/apis/apiregistration/v1)/generated\.proto$"
)
LITERAL = re.compile(rb'static file_descriptor_proto_data: &\'static \[u8\] = b"((?:[^"\\]|\\.)*)";', re.S)
SIMPLE = {ord("n"): 10, ord("t"): 9, ord("r"): 13, ord("0"): 0, ord("\\"): 92, ord('"'): 34, ord("'"): 39}


def crate_dir():
    if len(sys.argv) > 1:
        return sys.argv[1]
    home = os.path.expanduser("~/.cargo/registry/src")
    found = glob.glob(os.path.join(home, "*", CRATE))
    if not found:
        sys.exit(f"{CRATE} not found under {home}: fetch it with cargo or pass its path")
    return found[0]


def unescape(lit):
    """The bytes of a Rust byte-string literal's body."""
    out = bytearray()
    i = 0
    while i < len(lit):
        c = lit[i]
        if c != 0x5C:  # backslash
            out.append(c)
            i += 1
            continue
        e = lit[i + 1]
        if e == 0x0A:  # line continuation: skip the newline and the next line's indentation
            i += 2
            while i < len(lit) and lit[i] in b" \t\r\n":
                i += 1
        elif e == ord("x"):
            out.append(int(lit[i + 2 : i + 4], 16))
            i += 4
        elif e in SIMPLE:
            out.append(SIMPLE[e])
            i += 2
        else:
            sys.exit(f"unknown escape \\{chr(e)}")
    return bytes(out)


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def read_string_fields(msg, number):
    """The length-delimited fields `number` of a message (name = 1, dependency = 3)."""
    i, found = 0, []
    while i < len(msg):
        key, i = decode_varint(msg, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            _, i = decode_varint(msg, i)
        elif wire == 2:
            n, i = decode_varint(msg, i)
            if field == number:
                found.append(msg[i : i + n].decode())
            i += n
        elif wire == 5:
            i += 4
        elif wire == 1:
            i += 8
        else:
            sys.exit(f"unexpected wire type {wire}")
    return found


def decode_varint(b, i):
    n = shift = 0
    while True:
        x = b[i]
        i += 1
        n |= (x & 0x7F) << shift
        shift += 7
        if not x & 0x80:
            return n, i


def main():
    root = os.path.join(crate_dir(), VERSION_DIR)
    files = {}
    for path in sorted(glob.glob(os.path.join(root, "**", "mod.rs"), recursive=True)):
        with open(path, "rb") as f:
            m = LITERAL.search(f.read())
        if m:
            data = unescape(m.group(1))
            files[read_string_fields(data, 1)[0]] = data
    wanted, order = set(), []

    def visit(name):
        if name in wanted:
            return
        wanted.add(name)
        for dep in read_string_fields(files[name], 3):
            visit(dep)
        order.append(name)

    for name in sorted(files):
        if KEEP.match(name):
            visit(name)
    out = b"".join(b"\x0a" + varint(len(files[n])) + files[n] for n in order)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "wb") as f:
        f.write(out)
    print(f"{len(order)} files, {len(out)} bytes -> {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
