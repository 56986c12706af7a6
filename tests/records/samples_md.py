#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Rewrites the samples in user/record/RECORDS.md from what record-samples
prints today: in each section 8.N, the line "The sample is ... id `...`:",
the ```hex block and the ```cbor-diag block after it, and the ```token
block of section 10. The prose around them is left alone.

  tests/records/samples_md.py [RECORD-SAMPLES [RECORDS.md]]
"""
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verify  # noqa: E402

SEED_BYTE = {"home": 0x11, "pi": 0x22, "clubhouse": 0x33, "friend": 0x44,
             "alice": 0x55, "once": 0x66}


def main(argv):
    rs = argv[1] if len(argv) > 1 else "build/tests/tools/record-samples"
    path = argv[2] if len(argv) > 2 else "user/record/RECORDS.md"
    samples = [line.split() for line in
               subprocess.check_output([rs]).decode().splitlines()]
    keys = [line.split() for line in
            subprocess.check_output([rs, "keys"]).decode().splitlines()]
    token = subprocess.check_output([rs, "token"]).decode().strip()
    pkname = {h: n for n, h in keys}
    idname = {i: t for t, _, i in samples}
    top = {k: v[0] for k, v in verify.KEYS.items()}
    sub = {18: {i + 1: n for i, n in enumerate(verify.LIMITS)},
           21: {i + 1: n for i, n in enumerate(verify.USAGE)}}

    def annotate(line):
        """Names the sample keys and ids in a field's comment."""
        m = re.search(r"h'([0-9a-f]{64})'.*/ (\w+) /$", line)
        if m:
            h, f = m.groups()
            who = pkname.get(h) or (h in idname and "the id of the sample %s" % idname[h])
            if who:
                line = line[:line.rindex("/ %s /" % f)] + "/ %s: %s /" % (f, who)
        return line

    def block(t, h, i):
        raw = bytes.fromhex(h)
        payload = verify.strict_loads(raw, "the record").value[2]
        pl = verify.strict_loads(payload, "the payload")
        d = "\n".join(annotate(x) for x in verify.diag(pl, 0, top, sub).splitlines())
        hexl = "\n".join(h[j:j + 64] for j in range(0, len(h), 64))
        return ("The sample is %d bytes (a payload of %d), id `%s`:\n\n"
                "```hex\n%s\n```\n\nIts payload:\n\n```cbor-diag\n%s\n```"
                % (len(raw), len(payload), i, hexl, d))

    doc = open(path).read()
    for t, h, i in samples:
        head = re.search(r"^### 8\.\d+ %s \(\d+\)$" % re.escape(t), doc, re.M)
        if not head:
            sys.exit("%s: no section for %s" % (path, t))
        old = re.compile(r"The sample is .*?```hex\n.*?\n```\n\nIts payload:\n\n"
                         r"```cbor-diag\n.*?\n```", re.S)
        m = old.search(doc, head.end())
        if not m:
            sys.exit("%s: no sample under the section for %s" % (path, t))
        doc = doc[:m.start()] + block(t, h, i) + doc[m.end():]
    doc, n = re.subn(r"```token\n.*?\n```", "```token\n%s\n```" % token, doc, flags=re.S)
    if n != 1:
        sys.exit("%s: no ```token block" % path)
    table = "\n".join("| %s | 0x%02x | `%s` |" % (n, SEED_BYTE[n], h) for n, h in keys)
    doc = re.sub(r"(\| name \| seed byte \| public key \|\n\| --- \| --- \| --- \|\n)"
                 r"(?:\|.*\|\n)+", lambda m: m.group(1) + table + "\n", doc)
    with open(path, "w") as f:
        f.write(doc)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
