#!/usr/bin/env python3
"""Writes a tiny pure-Python wheel, NAME-VERSION-py3-none-any.whl, into DIR.

Usage: tiny-wheel.py DIR NAME VERSION

The package's __init__.py sets VALUE = "NAME-VERSION". The RECORD lists every file with its hash
and size, as pip checks. For tests and benchmarks that must install something without an index.
"""
import base64
import hashlib
import os
import sys
import zipfile


def _digest(data):
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build(directory, name, version):
    dist_info = "%s-%s.dist-info/" % (name, version)
    files = {
        name + "/__init__.py": 'VALUE = "%s-%s"\n' % (name, version),
        dist_info + "METADATA": "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version),
        dist_info + "WHEEL": "Wheel-Version: 1.0\nGenerator: synapse-tiny-wheel\n"
        "Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(
        "%s,sha256=%s,%d\n" % (path, _digest(text.encode()), len(text.encode()))
        for path, text in files.items()
    )
    files[dist_info + "RECORD"] = record + dist_info + "RECORD,,\n"
    os.makedirs(directory, exist_ok=True)
    wheel = os.path.join(directory, "%s-%s-py3-none-any.whl" % (name, version))
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    print(build(*sys.argv[1:]))
