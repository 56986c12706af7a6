#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Records made by hand, each with the verdict RECORDS.md gives it, and
the C reader and the Python verifier both held to that verdict:

  cases.py                  prints the cases, "# expect VERDICT NAME" and
                            then a hex line each
  cases.py RECORD-SAMPLES   checks every case with verify.py (in this
                            process) and with "RECORD-SAMPLES open"; prints
                            each disagreement and exits 1 if there is one

Most are well signed by the sample keys (record_samples.h: seeds of 32
bytes 0x11, 0x22, ...), so that what refuses them is the rule each is
about and not the signature. VERDICT is "ok" or "FAIL:text", text being
part of verify.py's reason.
"""
import os
import subprocess
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verify  # noqa: E402
from verify import CBORTag, encode  # noqa: E402

SEEDS = {"home": 0x11, "pi": 0x22, "clubhouse": 0x33, "friend": 0x44,
         "alice": 0x55, "once": 0x66}
T0 = 1796000000
U64 = 2**64 - 1


def sk(name):
    return Ed25519PrivateKey.from_private_bytes(bytes([SEEDS[name]] * 32))


def pk(name):
    return sk(name).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def extra_pk(i):
    """The public key of seed bytes(32 * [i]), for i past the samples'."""
    k = Ed25519PrivateKey.from_private_bytes(bytes([i] * 32))
    return k.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def compress(pt):
    x, y, z, _ = pt
    zi = pow(z, verify.P - 2, verify.P)
    x, y = x * zi % verify.P, y * zi % verify.P
    return (y | (x & 1) << 255).to_bytes(32, "little")


HOME, CLUB, FRIEND, ALICE, PI = (pk(n) for n in ("home", "clubhouse", "friend",
                                                 "alice", "pi"))
# Keys grid refuses.
SMALL = verify.SMALL_ORDER[4]                       # of order 8
NONCANON = (verify.P + 1).to_bytes(32, "little")    # y = 1 + p
OFFCURVE = (2).to_bytes(32, "little")               # y = 2 has no x
MIXED = compress(verify._add(verify._decompress(HOME),
                             verify._decompress(SMALL)))  # home + order 8


def cose(payload, signer="home", prot=b"\xa1\x01\x27", unprot=b"\xa0",
         tag=b"\xd2", sig=None, arr=b"\x84", tail=b""):
    """A COSE_Sign1 of raw @payload bytes, put together from raw parts."""
    if sig is None:
        sig = sk(signer).sign(encode(["Signature1", prot, b"", payload]))
    return tag + arr + encode(prot) + unprot + encode(payload) + encode(sig) + tail


def lease(**kw):
    """The samples' lease as a dict, with @kw (key number: value, or None
    to drop it) over it."""
    p = {1: 10, 2: 1, 3: HOME, 4: T0, 5: T0, 6: T0 + 7200, 7: "clubhouse",
         8: ALICE, 9: CLUB, 18: {1: 50000, 2: 100000, 4: 512 << 20, 10: 86400},
         19: 1, 20: 1, 22: HOME}
    for k, v in kw.items():
        k = int(k[1:])
        if v is None:
            del p[k]
        else:
            p[k] = v
    return p


def limits(**kw):
    m = {1: 50000, 2: 100000, 4: 512 << 20, 10: 86400}
    for k, v in kw.items():
        k = int(k[1:])
        if v is None:
            del m[k]
        else:
            m[k] = v
    return lease(k18=m)


def rec(p, signer="home", **kw):
    return cose(encode(p), signer, **kw)


CHARTER = {1: 4, 2: 1, 3: CLUB, 4: T0, 7: "clubhouse", 8: HOME, 10: [],
           11: 0, 12: 604800, 20: 1}
INVITATION = {1: 5, 2: 1, 3: HOME, 4: T0, 6: T0 + 86400, 7: "clubhouse",
              8: FRIEND, 9: CLUB, 13: 0, 14: b"\xa5" * 16}
MEMBERSHIP = {1: 6, 2: 1, 3: FRIEND, 4: T0 + 60, 7: "friend", 9: CLUB, 13: 0,
              15: b"\x59" * 32}
REVOCATION = {1: 8, 2: 1, 3: HOME, 4: T0, 9: CLUB, 23: 2, 19: 1}
RECEIPT = {1: 11, 2: 1, 3: HOME, 4: T0, 8: ALICE, 9: CLUB, 15: b"\x7a" * 32,
           19: 1, 21: {1: 1, 2: 2, 3: 3, 4: 4, 5: 0, 6: T0, 7: T0 + 1}}
GRID = {1: 1, 2: 1, 3: HOME, 4: T0, 7: "home"}


def upd(base, **kw):
    p = dict(base)
    for k, v in kw.items():
        k = int(k[1:])
        if v is None:
            del p[k]
        else:
            p[k] = v
    return p


def raw_map(pairs):
    """A map from already encoded (key, value) byte pairs, in the order given."""
    return bytes([0xa0 | len(pairs)]) + b"".join(k + v for k, v in pairs)


def grid_pairs(issued=None, name=None):
    """The pairs of GRID, with the issued or name value's bytes replaced."""
    p = [(encode(1), encode(1)), (encode(2), encode(1)), (encode(3), encode(HOME)),
         (encode(4), issued or encode(T0)), (encode(7), name or encode("home"))]
    return p


def nest(depth, leaf):
    v = leaf
    for _ in range(depth):
        v = [v]
    return v


def payload_of_size(n):
    """GRID with an extension byte string that makes the payload @n bytes."""
    for pad in range(n, 0, -1):
        p = upd(GRID, k64=b"\x00" * pad)
        if len(encode(p)) == n:
            return p
        if len(encode(p)) < n:
            break
    raise ValueError(n)


def cases():
    c = []

    def ok(name, raw):
        c.append(("ok", name, raw))

    def bad(name, why, raw):
        c.append(("FAIL:" + why, name, raw))

    # ---- accepted ----
    ok("lease", rec(lease()))
    ok("alg -19", rec(lease(), prot=b"\xa1\x01\x32"))
    ok("extension text", rec(upd(GRID, k64="x")))
    ok("extension with tag, nint, nested map in bytewise order",
       rec(upd(GRID, k64=[CBORTag(1, 0), -5, {10: 0, 100: 0, -1: 0, "z": 1, "aa": 2}],
               k1000=b"\x01")))
    ok("eight extensions", rec(upd(GRID, **{"k%d" % k: k for k in range(64, 72)})))
    ok("extension key 2^64-1", rec(upd(GRID, **{"k%d" % U64: 0})))
    ok("invitation with not_before", rec(upd(INVITATION, k5=T0)))
    ok("charter with two admins in order and policy 1",
       rec(upd(CHARTER, k10=sorted([ALICE, FRIEND]), k11=1), "clubhouse"))
    ok("charter with 16 admins",
       rec(upd(CHARTER, k10=sorted(extra_pk(i) for i in range(1, 17))), "clubhouse"))
    ok("membership with claim", rec(upd(MEMBERSHIP, k16=b"\x01" * 64), "friend"))
    ok("revocation of a member", rec(upd(REVOCATION, k23=1, k19=None, k8=FRIEND,
                                         k17="gone")))
    ok("reason of 200 bytes", rec(upd(REVOCATION, k17="\u00e9" * 100)))
    ok("reason with a C1 control (U+0085)", rec(upd(REVOCATION, k17="a\u0085b")))
    ok("name of 31", rec(upd(GRID, k7="a" * 31)))
    ok("name ._-", rec(upd(GRID, k7="._-0")))
    ok("limits all finite", rec(limits(k3=1, k5=0, k6=1, k7=2, k8=3, k9=4)))
    ok("limits budget period 2^32-1", rec(limits(k10=2**32 - 1)))
    ok("limits cpu period 1000 and 1000000", rec(limits(k2=1000, k1=1000)))
    ok("limits cpu quota above its period", rec(limits(k1=10**7)))
    ok("lease_id 2^64-1", rec(lease(k19=U64)))
    ok("receipt", rec(RECEIPT))
    ok("nesting of 8", rec(upd(GRID, k64=nest(7, 1))))
    ok("an empty array inside 8 containers", rec(upd(GRID, k64=nest(7, []))))
    ok("1024 items", rec(upd(GRID, k64=[0] * (1024 - 11 - 2))))
    ok("payload of 4016 bytes", rec(payload_of_size(4016)))

    # ---- the envelope ----
    sample = rec(lease())
    bad("bytes after the record", "bytes after", sample + b"\x00")
    bad("untagged", "tag 18", sample[1:])
    bad("tag 98", "tag 18", b"\xd8\x62" + sample[1:])
    bad("tag 18 in a long head", "deterministic", b"\xd8\x12" + sample[1:])
    bad("array of 5", "array of 4", rec(lease(), arr=b"\x85", tail=b"\x40"))
    bad("array of 3", "array of 4", sample[:-66].replace(b"\xd2\x84", b"\xd2\x83", 1))
    bad("protected {1: -7}", "protected header", rec(lease(), prot=b"\xa1\x01\x26"))
    bad("protected with a kid", "protected header",
        rec(lease(), prot=encode({1: -8, 4: b"k"})))
    bad("protected empty", "protected header", rec(lease(), prot=b""))
    bad("protected -8 in a long head", "deterministic", rec(lease(), prot=b"\xa1\x01\x38\x07"))
    bad("protected as a map", "byte string",
        b"\xd2\x84\xa1\x01\x27" + sample[6:])
    bad("unprotected kid", "unprotected", rec(lease(), unprot=encode({4: b"k"})))
    bad("signature of 65", "64 bytes", rec(lease(), sig=b"\x00" * 65))
    bad("payload nil", "simple", b"\xd2\x84\x43\xa1\x01\x27\xa0\xf6" + encode(b"\0" * 64))

    # ---- the signature ----
    good = sk("home").sign(encode(["Signature1", b"\xa1\x01\x27", b"", encode(lease())]))
    s = int.from_bytes(good[32:], "little") + verify.L
    bad("S + L", "signature", rec(lease(), sig=good[:32] + s.to_bytes(32, "little")))
    bad("signed by friend", "signature", rec(lease(), "friend"))
    bad("R of small order", "signature", rec(lease(), sig=SMALL + good[32:]))
    bad("signed under -8, header says -19", "signature",
        rec(lease(), prot=b"\xa1\x01\x32", sig=good))

    # ---- payload encoding ----
    bad("issued in a long head", "deterministic",
        cose(raw_map(grid_pairs(issued=b"\x1b" + T0.to_bytes(8, "big")))))
    bad("keys out of order", "deterministic",
        cose(raw_map(grid_pairs()[::-1])))
    bad("duplicate key", "deterministic",
        cose(raw_map(grid_pairs() + [(encode(7), encode("home"))])))
    ext_len_first = b"\xa3" + encode(10) + b"\x00" + encode(-1) + b"\x00" + \
        encode(100) + b"\x00"
    bad("extension map length-first (RFC 7049)", "deterministic",
        cose(raw_map(grid_pairs() + [(encode(64), ext_len_first)])))
    bad("indefinite name", "deterministic",
        cose(raw_map(grid_pairs(name=b"\x7f\x64home\xff"))))
    bad("indefinite map", "deterministic",
        cose(b"\xbf" + b"".join(k + v for k, v in grid_pairs()) + b"\xff"))
    for what, v in (("float", b"\xf9\x3c\x00"), ("true", b"\xf5"), ("null", b"\xf6"),
                    ("undefined", b"\xf7"), ("simple(16)", b"\xf0"),
                    ("simple(32)", b"\xf8\x20")):
        bad("extension " + what, "",
            cose(raw_map(grid_pairs() + [(encode(64), v)])))
    bad("name not UTF-8", "well-formed", cose(raw_map(grid_pairs(name=b"\x62\xc3\x28"))))
    bad("name overlong UTF-8", "well-formed", cose(raw_map(grid_pairs(name=b"\x62\xc0\xaf"))))
    bad("reason with a surrogate", "well-formed",
        cose(encode(upd(REVOCATION, k17="a")).replace(b"\x11\x61\x61",
                                                      b"\x11\x63\xed\xa0\x80")))
    bad("payload with a byte after its map", "bytes after",
        cose(encode(GRID) + b"\x00"))
    bad("nesting of 9", "nested", rec(upd(GRID, k64=nest(8, 1))))
    bad("1025 items", "items", rec(upd(GRID, k64=[0] * (1025 - 11 - 2))))
    bad("payload of 4017 bytes", "4016", rec(payload_of_size(4017)))
    bad("payload an array", "not a map", rec([1, 2]))

    # ---- keys ----
    bad("key 0", "critical", rec(upd(GRID, k0=0)))
    bad("key 24", "critical", rec(upd(GRID, k24=0)))
    bad("key 63", "critical", rec(upd(GRID, k63=0)))
    bad("nine extensions", "extension", rec(upd(GRID, **{"k%d" % k: k for k in range(64, 73)})))
    bad("negative key", "unsigned", cose(raw_map(grid_pairs() + [(encode(-1), encode(0))])))
    bad("text key", "unsigned", cose(raw_map(grid_pairs() + [(encode("a"), encode(0))])))
    bad("type 12", "type", rec(upd(GRID, k1=12)))
    bad("type 0", "type", rec(upd(GRID, k1=0)))
    bad("version 2", "version", rec(upd(GRID, k2=2)))
    bad("grid without name", "no name", rec(upd(GRID, k7=None)))
    bad("grid with subject", "no key subject", rec(upd(GRID, k8=ALICE)))
    bad("lease without serial", "no serial", rec(lease(k20=None)))
    bad("lease without not_before", "no not_before", rec(lease(k5=None)))
    bad("charter without admins", "no admins", rec(upd(CHARTER, k10=None), "clubhouse"))
    bad("membership with nonce", "no key nonce", rec(upd(MEMBERSHIP, k14=b"\0" * 16), "friend"))

    # ---- values ----
    bad("issued negative", "unsigned", rec(upd(GRID, k4=-1)))
    bad("issued text", "unsigned", rec(upd(GRID, k4="1")))
    bad("name bytes", "text", rec(upd(GRID, k7=b"home")))
    for n in ("", ".", "..", "Home", "a b", "a" * 32, "h\u00f6me", "a\0b", "a/b"):
        bad("name %r" % n, "name", rec(upd(GRID, k7=n)))
    bad("reason of 201 bytes", "reason", rec(upd(REVOCATION, k17="a" * 201)))
    bad("reason with a newline", "reason", rec(upd(REVOCATION, k17="a\nb")))
    bad("reason with DEL", "reason", rec(upd(REVOCATION, k17="a\x7fb")))
    bad("reason with NUL", "reason", rec(upd(REVOCATION, k17="a\0b")))
    bad("policy 2", "policy", rec(upd(CHARTER, k11=2), "clubhouse"))
    bad("admin 2", "admin", rec(upd(INVITATION, k13=2)))
    bad("kind 3", "kind", rec(upd(REVOCATION, k23=3)))
    bad("kind 0", "kind", rec(upd(REVOCATION, k23=0)))
    bad("kind 1 with lease_id", "kind", rec(upd(REVOCATION, k23=1)))
    bad("kind 2 with subject too", "kind", rec(upd(REVOCATION, k8=FRIEND)))
    bad("kind 2 without lease_id", "kind", rec(upd(REVOCATION, k19=None)))
    bad("nonce of 15", "nonce", rec(upd(INVITATION, k14=b"\xa5" * 15)))
    bad("ref of 31", "ref", rec(upd(MEMBERSHIP, k15=b"\x59" * 31), "friend"))
    bad("claim of 63", "claim", rec(upd(MEMBERSHIP, k16=b"\x01" * 63), "friend"))
    bad("subject of 31", "subject", rec(upd(INVITATION, k8=FRIEND[:31])))
    bad("subject of small order", "small order", rec(upd(INVITATION, k8=SMALL)))
    bad("subject identity with the sign bit", "small order",
        rec(upd(INVITATION, k8=b"\x01" + b"\0" * 30 + b"\x80")))
    bad("subject not canonical", "canonical", rec(upd(INVITATION, k8=NONCANON)))
    bad("subject off the curve", "curve", rec(upd(INVITATION, k8=OFFCURVE)))
    bad("subject of mixed order", "subgroup", rec(upd(INVITATION, k8=MIXED)))
    bad("holder_grid of mixed order", "subgroup", rec(lease(k22=MIXED)))
    bad("gridgrid off the curve", "curve", rec(lease(k9=OFFCURVE)))
    bad("admins unsorted", "order", rec(upd(CHARTER, k10=sorted([ALICE, FRIEND])[::-1]),
                                        "clubhouse"))
    bad("admins repeat", "order", rec(upd(CHARTER, k10=[ALICE, ALICE]), "clubhouse"))
    bad("17 admins", "16", rec(upd(CHARTER, k10=sorted(extra_pk(i) for i in range(1, 18))),
                               "clubhouse"))
    bad("admin of small order", "small order", rec(upd(CHARTER, k10=[SMALL]), "clubhouse"))
    bad("admins a map", "array", rec(upd(CHARTER, k10={}), "clubhouse"))
    bad("not_after = not_before", "not_after", rec(lease(k6=T0)))
    bad("not_after before not_before", "not_after", rec(lease(k6=T0 - 1)))
    bad("lease_id 0", "lease_id", rec(lease(k19=0)))
    bad("limits explicit cpu quota 2^64-1", "2^64-1", rec(limits(k1=U64)))
    bad("limits explicit memory 2^64-1", "2^64-1", rec(limits(k4=U64)))
    bad("limits explicit net ingress budget 2^64-1", "2^64-1", rec(limits(k9=U64)))
    bad("limits without cpu period", "lack", rec(limits(k2=None)))
    bad("limits without budget period", "lack", rec(limits(k10=None)))
    bad("limits key 11", "unknown key", rec(limits(k11=1)))
    bad("limits key 0", "unknown key", rec(limits(k0=1)))
    bad("limits negative", "unsigned", rec(limits(k4=-1)))
    bad("limits cpu period 999", "cpu_period", rec(limits(k2=999)))
    bad("limits cpu period 1000001", "cpu_period", rec(limits(k2=1000001)))
    bad("limits cpu period 2^64-1", "cpu_period", rec(limits(k2=U64)))
    bad("limits cpu quota 999", "cpu_quota", rec(limits(k1=999)))
    bad("limits budget period 0", "budget_period", rec(limits(k10=0)))
    bad("limits budget period 2^32", "budget_period", rec(limits(k10=2**32)))
    bad("limits an array", "map", rec(lease(k18=[])))
    bad("usage without key 7", "lacks", rec(upd(RECEIPT, k21={1: 1, 2: 2, 3: 3, 4: 4,
                                                             5: 0, 6: T0})))
    bad("usage key 8", "unknown key", rec(upd(RECEIPT, k21={**RECEIPT[21], 8: 0})))
    bad("usage text value", "unsigned", rec(upd(RECEIPT, k21={**RECEIPT[21], 5: "0"})))
    return c


def main(argv):
    cs = cases()
    if len(argv) == 1:
        for verdict, name, raw in cs:
            print("# expect %s %s\n%s" % (verdict, name, raw.hex()))
        return 0
    bad = 0
    proc = subprocess.run([argv[1], "open"], input="".join(
        raw.hex() + "\n" for _, _, raw in cs), capture_output=True, text=True)
    c_out = proc.stdout.splitlines()
    if len(c_out) != len(cs):
        print("FAIL: %s open printed %d lines for %d cases: %s" %
              (argv[1], len(c_out), len(cs), proc.stderr))
        return 1
    for (verdict, name, raw), c_line in zip(cs, c_out):
        try:
            verify.open_record(raw)
            py = "ok"
        except verify.Refused as e:
            py = "FAIL:" + str(e)
        want_ok = verdict == "ok"
        problems = []
        if py.startswith("ok") != want_ok:
            problems.append("verify.py says %s" % py)
        elif not want_ok and verdict[5:] not in py:
            problems.append("verify.py refuses for another reason: %s" % py[5:])
        if c_line.startswith("ok") != want_ok:
            problems.append("the C reader says %s" % c_line)
        if problems:
            bad += 1
            print("FAIL %s (expected %s): %s" % (name, verdict, "; ".join(problems)))
        else:
            print("ok %s: %s | C: %s" % (name, py, c_line))
    print("%d cases, %d disagree" % (len(cs), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
