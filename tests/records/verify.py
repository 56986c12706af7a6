#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""An independent verifier of grid's signed records, written from
user/record/RECORDS.md with nothing but Debian's python3-cbor2 (decoding)
and python3-cryptography (Ed25519). It does not read or call the C code.

  verify.py FILE           each line "TYPE HEX [ID]" or "HEX" (lines that
                           start with '#' and blank lines are skipped); prints
                           "ok TYPE ID" or "FAIL TYPE: reason" per record and
                           exits 1 if any failed
  verify.py --chain FILE   also checks that the records of the file hold
                           together as the samples' story: the membership
                           chain (charter, invitation, membership) and that
                           the lease, revocation and receipt are the share
                           issuer's
  verify.py --tamper FILE  every record must verify; then every copy of it
                           with one byte xor 0x01 must not (checked without
                           the line's TYPE and ID, which would catch it too
                           easily); prints how many were wrongly accepted
  verify.py --mutants FILE prints those copies, one hex line each
  verify.py --token TOKEN  reads a token ("grid1:...") and verifies every
                           record in it, and the chain of an invitation or
                           membership bundle (the invitation's time is not
                           checked: there is no "now" here)
  verify.py --diag FILE    prints each record's payload in CBOR diagnostic
                           notation (RFC 8949 section 8), as RECORDS.md shows

Run it with /usr/bin/python3: the Debian packages are what it is meant to
be checked with.

What it checks of each record: the COSE_Sign1 structure (tag 18, four
members), the protected header (exactly {1: -8} or {1: -19}), the empty
unprotected header, that the record, the protected header and the payload
are each one item in core deterministic encoding (decoded by cbor2 and
encoded again by the encoder here, which sorts map keys bytewise), the
CBOR kinds, item count and depth allowed, the sizes, the fields each type
requires and allows, every value's type and bounds, the limits and usage
maps, the one encoding (no explicit 2^64-1 limit, admins increasing), that
every public key is canonical, not one of the eight small-order points, on
the curve and in the prime-order subgroup (cryptography has no call for
the last two, so they are done here in plain integer arithmetic), the
signature (S < L, R not of small order, then cryptography's Ed25519
verify over the Sig_structure), and the id (SHA-256 of the bytes).

What it does not check: validity times against a clock (there is no "now"
here), the rights of a revocation's issuer, or anything gridd decides
from its own state (replays, serials, revocations, fitting a share). The
chain rules of RECORDS.md section 9 it checks on bundles (--token) and on
the samples' story (--chain).
"""
import base64
import hashlib
import io
import re
import sys

import cbor2
import cbor2.decoder
from cbor2.types import CBORSimpleValue, CBORTag, FrozenDict, undefined
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class Refused(Exception):
    """A record is not one grid accepts; the message says why."""


# ---- deterministic CBOR -----------------------------------------------------

# Bounds of one decoded document (RECORDS.md, "Payload").
ITEMS_MAX = 1024
DEPTH_MAX = 8


class _PlainDecoder(cbor2.decoder.CBORDecoder):
    """cbor2's decoder, with every tag kept as a plain CBORTag: cbor2 turns
    tags such as 1 (epoch time) or 2 (bignum) into Python objects, and those
    would not re-encode to the bytes they came from. Extension values may
    hold any tag; grid gives them no meaning."""

    def _decode(self, immutable=False, unshared=False):
        if immutable:
            old = self._immutable
            self._immutable = True
        try:
            ib = self.read(1)[0]
            major, sub = ib >> 5, ib & 31
            if major == 6:
                tag = self._decode_length(sub)
                return CBORTag(tag, self._decode(immutable=self._immutable))
            return cbor2.decoder.major_decoders[major](self, sub)
        finally:
            if immutable:
                self._immutable = old


def _head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for ai, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | ai]) + n.to_bytes(size, "big")
    raise Refused("an integer does not fit in 64 bits")


def encode(obj):
    """The core deterministic encoding (RFC 8949 section 4.2.1) of @obj:
    shortest heads, definite lengths, map keys sorted bytewise by their own
    encodings (not length-first, as cbor2's canonical=True does)."""
    if isinstance(obj, (bool, CBORSimpleValue)) or obj is None or obj is undefined:
        raise Refused("holds a simple value")
    if isinstance(obj, int):
        return _head(0, obj) if obj >= 0 else _head(1, -1 - obj)
    if isinstance(obj, bytes):
        return _head(2, len(obj)) + obj
    if isinstance(obj, str):
        b = obj.encode("utf-8")
        return _head(3, len(b)) + b
    if isinstance(obj, CBORTag):
        return _head(6, obj.tag) + encode(obj.value)
    if isinstance(obj, (list, tuple)):
        return _head(4, len(obj)) + b"".join(encode(x) for x in obj)
    if isinstance(obj, (dict, FrozenDict)):
        pairs = sorted((encode(k), encode(v)) for k, v in obj.items())
        return _head(5, len(pairs)) + b"".join(k + v for k, v in pairs)
    if isinstance(obj, float):
        raise Refused("holds a float")
    raise Refused("holds a simple value or something else grid does not carry")


def _shape(obj, depth, count):
    """Counts items (every key and value) and refuses containers with
    members nested deeper than DEPTH_MAX."""
    count[0] += 1
    if count[0] > ITEMS_MAX:
        raise Refused("more than %d CBOR items" % ITEMS_MAX)
    if isinstance(obj, CBORTag):
        kids = [obj.value]
    elif isinstance(obj, (list, tuple)):
        kids = list(obj)
    elif isinstance(obj, (dict, FrozenDict)):
        kids = [x for kv in obj.items() for x in kv]
    else:
        return
    if kids and depth >= DEPTH_MAX:
        raise Refused("CBOR nested more than %d deep" % DEPTH_MAX)
    for k in kids:
        _shape(k, depth + 1, count)


def strict_loads(buf, what):
    """Decodes @buf, which must be exactly one item in the one encoding."""
    fp = io.BytesIO(buf)
    try:
        obj = _PlainDecoder(fp).decode()
    except Exception as e:  # cbor2 raises several kinds, UTF-8 errors too
        raise Refused("%s is not well-formed CBOR (%s)" % (what, e))
    if fp.tell() != len(buf):
        raise Refused("%s has bytes after its CBOR item" % what)
    try:
        again = encode(obj)
    except Refused as e:
        raise Refused("%s %s" % (what, e))
    if again != buf:
        raise Refused("%s is not in deterministic encoding" % what)
    _shape(obj, 0, [0])
    return obj


# ---- Ed25519 public keys ----------------------------------------------------

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
IDENTITY = (0, 1, 1, 0)

# The eight points of small order, in their canonical encodings.
SMALL_ORDER = [bytes.fromhex(h) for h in (
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
)]
# Compared without the sign bit, as libsodium does: x = 0 with the sign
# bit set is then refused too.
_SMALL_Y = {s[:31] + bytes([s[31] & 0x7f]) for s in SMALL_ORDER}


def _add(p1, p2):
    x1, y1, z1, t1 = p1
    x2, y2, z2, t2 = p2
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * D * t1 * t2 % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(n, pt):
    q = IDENTITY
    while n:
        if n & 1:
            q = _add(q, pt)
        pt = _add(pt, pt)
        n >>= 1
    return q


def _is_identity(pt):
    x, y, z, _ = pt
    return x % P == 0 and (y - z) % P == 0


def _decompress(b):
    """RFC 8032 section 5.1.3, or None."""
    y = int.from_bytes(b, "little") & ((1 << 255) - 1)
    sign = b[31] >> 7
    if y >= P:
        return None
    u = (y * y - 1) % P
    v = (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    if v * x * x % P == (-u) % P:
        x = x * SQRT_M1 % P
    elif v * x * x % P != u:
        return None
    if x == 0 and sign:
        return None
    if x & 1 != sign:
        x = P - x
    return (x, y, 1, x * y % P)


_pk_cache = {}


def pk_problem(b):
    """Why @b is not a public key grid accepts, or None."""
    if b in _pk_cache:
        return _pk_cache[b]
    why = None
    if int.from_bytes(b, "little") & ((1 << 255) - 1) >= P:
        why = "is not a canonical encoding (y >= p)"
    elif b[:31] + bytes([b[31] & 0x7f]) in _SMALL_Y:
        why = "is a point of small order"
    else:
        pt = _decompress(b)
        if pt is None:
            why = "is not a point on the curve"
        elif not _is_identity(_mul(L, pt)):
            why = "is not in the prime-order subgroup"
    _pk_cache[b] = why
    return why


def _selftest():
    for s in SMALL_ORDER:
        pt = _decompress(s)
        assert pt is not None and _is_identity(_mul(8, pt)), s.hex()
    # cbor2 must keep tags plain in our decoder, whatever its version does.
    assert strict_loads(bytes.fromhex("c100"), "test") == CBORTag(1, 0)


# ---- the schema (RECORDS.md, "Payload keys" and "Record types") -------------

TYPES = {1: "grid", 2: "agent", 3: "member-grid", 4: "charter",
         5: "invitation", 6: "membership", 7: "leave", 8: "revocation",
         9: "share", 10: "lease", 11: "receipt"}
TYPE_NUM = {v: k for k, v in TYPES.items()}

U64 = 2**64 - 1
# key: (name, kind, bound); kinds: uint (0..bound), pk, bytes (of bound),
# name, reason, pks, limits, usage
KEYS = {
    1: ("type", "uint", 11), 2: ("version", "uint", U64),
    3: ("issuer", "pk", None), 4: ("issued", "uint", U64),
    5: ("not_before", "uint", U64), 6: ("not_after", "uint", U64),
    7: ("name", "name", None), 8: ("subject", "pk", None),
    9: ("gridgrid", "pk", None), 10: ("admins", "pks", None),
    11: ("policy", "uint", 1), 12: ("invite_max", "uint", U64),
    13: ("admin", "uint", 1), 14: ("nonce", "bytes", 16),
    15: ("ref", "bytes", 32), 16: ("claim", "bytes", 64),
    17: ("reason", "reason", None), 18: ("limits", "limits", None),
    19: ("lease_id", "uint", U64), 20: ("serial", "uint", U64),
    21: ("usage", "usage", None), 22: ("holder_grid", "pk", None),
    23: ("kind", "uint", 2),
}
KEY_NUM = {v[0]: k for k, v in KEYS.items()}
BASE = {"type", "version", "issuer", "issued"}
# For each type: (the fields it requires beyond BASE, those it allows)
SCHEMA = {
    "grid": ({"name"}, set()),
    "agent": ({"name", "subject"}, {"not_before", "not_after"}),
    "member-grid": ({"name", "subject"}, {"not_before", "not_after"}),
    "charter": ({"name", "subject", "admins", "policy", "invite_max",
                 "serial"}, set()),
    "invitation": ({"not_after", "name", "subject", "gridgrid", "admin",
                    "nonce"}, {"not_before"}),
    "membership": ({"name", "gridgrid", "admin", "ref"}, {"claim"}),
    "leave": ({"gridgrid", "ref"}, set()),
    "revocation": ({"gridgrid", "kind"}, {"subject", "lease_id", "reason"}),
    "share": ({"name", "gridgrid", "limits", "serial"}, set()),
    "lease": ({"not_before", "not_after", "name", "subject", "gridgrid",
               "limits", "lease_id", "serial", "holder_grid"}, set()),
    "receipt": ({"subject", "gridgrid", "ref", "lease_id", "usage"}, set()),
}
LIMITS = ["cpu_quota_us", "cpu_period_us", "cpu_budget_us", "memory_bytes",
          "pids", "net_egress_rate", "net_ingress_rate", "net_egress_budget",
          "net_ingress_budget", "budget_period_s"]
USAGE = ["cpu_us", "memory_peak", "bytes_out", "bytes_in", "exit_status",
         "started", "ended"]
NAME_RE = re.compile(r"[a-z0-9._-]{1,31}\Z")
EXT_MIN = 64
EXT_MAX = 8
RECORD_MAX = 4096
PAYLOAD_MAX = 4016
REASON_MAX = 200


def is_uint(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def check_limits(m):
    if not isinstance(m, dict):
        raise Refused("limits is not a map")
    for k, v in m.items():
        if not is_uint(k) or not 1 <= k <= 10:
            raise Refused("limits has an unknown key %r" % (k,))
        if not is_uint(v):
            raise Refused("limits %s is not an unsigned integer" % LIMITS[k - 1])
    if 2 not in m or 10 not in m:
        raise Refused("limits lack cpu_period_us (2) or budget_period_s (10)")
    for k in (1, 3, 4, 5, 6, 7, 8, 9):
        if m.get(k) == U64:
            raise Refused("limits %s is an explicit 2^64-1 (unlimited is "
                          "written by leaving the key out)" % LIMITS[k - 1])
    if not 1000 <= m[2] <= 1000000:
        raise Refused("limits cpu_period_us %d is outside 1000..1000000" % m[2])
    if 1 in m and m[1] < 1000:
        raise Refused("limits cpu_quota_us %d is below 1000" % m[1])
    if not 1 <= m[10] <= 2**32 - 1:
        raise Refused("limits budget_period_s %d is outside 1..2^32-1" % m[10])


def check_usage(m):
    if not isinstance(m, dict):
        raise Refused("usage is not a map")
    for k, v in m.items():
        if not is_uint(k) or not 1 <= k <= 7:
            raise Refused("usage has an unknown key %r" % (k,))
        if not is_uint(v):
            raise Refused("usage %s is not an unsigned integer" % USAGE[k - 1])
    if len(m) != 7:
        raise Refused("usage lacks a key: all of 1..7 are required")


def check_value(name, kind, bound, v):
    if kind == "uint":
        if not is_uint(v):
            raise Refused("%s is not an unsigned integer" % name)
        if v > bound:
            raise Refused("%s %d is above %d" % (name, v, bound))
    elif kind == "pk":
        if not isinstance(v, bytes) or len(v) != 32:
            raise Refused("%s is not a byte string of 32" % name)
        why = pk_problem(v)
        if why:
            raise Refused("%s %s" % (name, why))
    elif kind == "bytes":
        if not isinstance(v, bytes) or len(v) != bound:
            raise Refused("%s is not a byte string of %d" % (name, bound))
    elif kind == "name":
        if not isinstance(v, str):
            raise Refused("name is not a text string")
        if not NAME_RE.match(v) or v in (".", ".."):
            raise Refused("name %r is not 1 to 31 of a-z 0-9 . _ -" % v)
    elif kind == "reason":
        if not isinstance(v, str):
            raise Refused("reason is not a text string")
        b = v.encode("utf-8")
        if len(b) > REASON_MAX:
            raise Refused("reason is longer than %d bytes" % REASON_MAX)
        if any(c < 0x20 or c == 0x7f for c in b):
            raise Refused("reason has a control character")
    elif kind == "pks":
        if not isinstance(v, list):
            raise Refused("admins is not an array")
        if len(v) > 16:
            raise Refused("admins has more than 16 keys")
        for i, a in enumerate(v):
            check_value("admin key %d" % (i + 1), "pk", None, a)
        if any(v[i] >= v[i + 1] for i in range(len(v) - 1)):
            raise Refused("admins are not in increasing order, or repeat")
    elif kind == "limits":
        check_limits(v)
    elif kind == "usage":
        check_usage(v)


def check_payload(pl):
    """The payload map's schema; returns (type name, {field name: value})."""
    if not isinstance(pl, dict):
        raise Refused("the payload is not a map")
    fields, ext = {}, []
    for k, v in pl.items():
        if not is_uint(k):
            raise Refused("the payload has a key that is not an unsigned integer")
        if k >= EXT_MIN:
            ext.append(k)
        elif k not in KEYS:
            raise Refused("unknown critical key %d" % k)
        else:
            fields[KEYS[k][0]] = v
    if len(ext) > EXT_MAX:
        raise Refused("more than %d extension keys" % EXT_MAX)
    t = fields.get("type")
    if not is_uint(t) or t not in TYPES:
        raise Refused("unknown record type %r" % (t,))
    tname = TYPES[t]
    if fields.get("version") != 1:
        raise Refused("format version %r, not 1" % (fields.get("version"),))
    req, opt = SCHEMA[tname]
    req = req | BASE
    for n in sorted(req - fields.keys(), key=KEY_NUM.get):
        raise Refused("no %s" % n)
    for n in sorted(fields.keys() - req - opt, key=KEY_NUM.get):
        raise Refused("a %s has no key %s" % (tname, n))
    for n in sorted(fields, key=KEY_NUM.get):
        _, kind, bound = KEYS[KEY_NUM[n]]
        check_value(n, kind, bound, fields[n])
    if "not_before" in fields and "not_after" in fields and \
            fields["not_after"] <= fields["not_before"]:
        raise Refused("not_after is not after not_before")
    if fields.get("lease_id") == 0:
        raise Refused("lease_id is 0")
    if tname == "revocation":
        want = {1: "subject", 2: "lease_id"}.get(fields["kind"])
        have = {"subject", "lease_id"} & fields.keys()
        if want is None or have != {want}:
            raise Refused("revocation kind %d needs exactly one of subject "
                          "(kind 1) or lease_id (kind 2)" % fields["kind"])
    return tname, fields


class Record:
    def __init__(self, raw):
        self.raw = raw
        self.id = hashlib.sha256(raw).digest()
        self.type = None
        self.fields = None


def open_record(raw):
    """Checks @raw as RECORDS.md says a reader must; a Record or Refused."""
    rec = Record(raw)
    if len(raw) > RECORD_MAX:
        raise Refused("%d bytes, more than %d" % (len(raw), RECORD_MAX))
    env = strict_loads(raw, "the record")
    if not isinstance(env, CBORTag) or env.tag != 18:
        raise Refused("not a COSE_Sign1 (tag 18)")
    a = env.value
    if not isinstance(a, list) or len(a) != 4:
        raise Refused("COSE_Sign1 is not an array of 4")
    prot, unprot, payload, sig = a
    if not isinstance(prot, bytes) or not isinstance(payload, bytes) or \
            not isinstance(sig, bytes):
        raise Refused("COSE_Sign1 protected, payload or signature is not a byte string")
    if unprot != {}:
        raise Refused("the unprotected header is not an empty map")
    if len(sig) != 64:
        raise Refused("the signature is not 64 bytes")
    hdr = strict_loads(prot, "the protected header")
    if hdr not in ({1: -8}, {1: -19}):
        raise Refused("the protected header is not {1: -8} or {1: -19}")
    if len(payload) > PAYLOAD_MAX:
        raise Refused("payload of %d bytes, more than %d" % (len(payload), PAYLOAD_MAX))
    rec.type, rec.fields = check_payload(strict_loads(payload, "the payload"))
    tbs = encode(["Signature1", prot, b"", payload])
    if not ed25519_ok(rec.fields["issuer"], sig, tbs):
        raise Refused("the signature does not verify under the issuer key")
    return rec


def ed25519_ok(pk, sig, msg):
    """RECORDS.md's signature rule: S < L, R not of small order, a valid
    key, and the RFC 8032 equation (cryptography, that is OpenSSL)."""
    if int.from_bytes(sig[32:], "little") >= L:
        return False
    if sig[:31] + bytes([sig[31] & 0x7f]) in _SMALL_Y:
        return False
    if pk_problem(pk):
        return False
    try:
        Ed25519PublicKey.from_public_bytes(pk).verify(sig, msg)
    except InvalidSignature:
        return False
    return True


# ---- input ------------------------------------------------------------------

HEX = re.compile(r"[0-9a-fA-F]+\Z")


def read_lines(path):
    """(TYPE or None, raw bytes or None, ID bytes or None, line) per record."""
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            tok = line.split()
            t = None
            if not HEX.match(tok[0]):
                t = tok.pop(0)
            raw = rid = None
            if tok and HEX.match(tok[0]) and len(tok[0]) % 2 == 0:
                raw = bytes.fromhex(tok[0])
            if len(tok) > 1 and HEX.match(tok[1]) and len(tok[1]) == 64:
                rid = bytes.fromhex(tok[1])
            if len(tok) > 2 or (len(tok) == 2 and rid is None):
                raw = None
            out.append((t, raw, rid, line))
    return out


def verify_line(t, raw, rid):
    """(label, Record or None, reason or None)."""
    label = t or "record"
    if raw is None:
        return label, None, "not a line of TYPE HEX [ID]"
    try:
        rec = open_record(raw)
    except Refused as e:
        return label, None, str(e)
    if t is None:
        label = rec.type
    if t is not None and t != rec.type:
        return label, None, "the line says %s, the payload %s" % (t, rec.type)
    if rid is not None and rid != rec.id:
        return label, None, "the id is not the SHA-256 of the record"
    return label, rec, None


def verify_file(path):
    recs, failed = [], 0
    for t, raw, rid, _ in read_lines(path):
        label, rec, why = verify_line(t, raw, rid)
        if rec:
            print("ok %s %s" % (label, rec.id.hex()))
            recs.append(rec)
        else:
            print("FAIL %s: %s" % (label, why))
            failed += 1
    return recs, failed


# ---- chains (RECORDS.md, "Who may say what") --------------------------------

CLAIM_CONTEXT = b"grid-claim-v1"
BUNDLE_MAX = 8
PROOFS_MAX = 3


def check_invitation(c, rights, members, inv, at):
    """An invitation of the charter @c's grid-grid, seen at @at (None: no
    time check beyond the lifetime); the reason it fails, or None."""
    cf, f = c.fields, inv.fields
    if inv.type != "invitation":
        return "a %s where an invitation belongs" % inv.type
    if f["gridgrid"] != cf["issuer"]:
        return "the invitation is for another grid-grid"
    if f["name"] != cf["name"]:
        return "the invitation names %r, the charter %r" % (f["name"], cf["name"])
    if f["issuer"] not in rights and not (cf["policy"] & 1 and f["issuer"] in members):
        return "the inviter %s may not invite to %s" % (f["issuer"][:8].hex(), cf["name"])
    if f["not_after"] < f["issued"] or f["not_after"] - f["issued"] > cf["invite_max"]:
        return "the invitation lives longer than the charter's invite_max"
    if at is None:
        return None
    if at < f["issued"]:
        return "the invitation was accepted before it was made"
    if at >= f["not_after"]:
        return "the invitation had expired"
    if at < f.get("not_before", 0):
        return "the invitation was not valid yet"
    return None


def check_acceptance(c, inv, mem):
    f, i = mem.fields, inv.fields
    if mem.type != "membership":
        return "a %s where a membership belongs" % mem.type
    if f["gridgrid"] != c.fields["issuer"] or f["ref"] != inv.id:
        return "the membership does not accept this invitation"
    if f["admin"] != i["admin"]:
        return "the membership's admin differs from the invitation's"
    if "claim" in f:
        if not ed25519_ok(i["subject"], f["claim"], CLAIM_CONTEXT + inv.id + f["issuer"]):
            return "the membership's claim of a one-time invitation does not verify"
    elif f["issuer"] != i["subject"]:
        return "the membership is not signed by the invitee"
    return None


def walk(recs, with_mem, now=None):
    """RECORDS.md's walk of [charter, (invitation, membership)..., invitation,
    membership?]; the reason it fails, or None. A last invitation without a
    membership is seen at @now; None checks no time."""
    if len(recs) < 2 or recs[0].type != "charter":
        return "the bundle does not start with a charter"
    c = recs[0]
    last = len(recs) - 1 - (1 if with_mem else 0)
    if last < 1 or (last - 1) % 2:
        return "the bundle is not charter, admin proofs, invitation%s" % (
            ", membership" if with_mem else "")
    if (last - 1) // 2 > PROOFS_MAX:
        return "more than %d admin proofs" % PROOFS_MAX
    cf = c.fields
    rights = {cf["issuer"], cf["subject"], *cf["admins"]}
    members = set()
    for i in range(1, last, 2):
        pi, pm = recs[i], recs[i + 1]
        why = check_invitation(c, rights, members, pi, pm.fields["issued"]) or \
            check_acceptance(c, pi, pm)
        if why:
            return why
        members.add(pm.fields["issuer"])
        if pm.fields["admin"]:
            rights.add(pm.fields["issuer"])
    at = recs[last + 1].fields["issued"] if with_mem else now
    why = check_invitation(c, rights, members, recs[last], at)
    if why or not with_mem:
        return why
    return check_acceptance(c, recs[last], recs[last + 1])


# ---- bundles and tokens (RECORDS.md, "Bundles and tokens") ----------------

TOKEN_PREFIX = "grid1:"
B64URL = re.compile(r"[A-Za-z0-9_-]*\Z")
BUNDLE_KINDS = {1: "invitation", 2: "membership", 3: "lease", 4: "records"}


def read_token(text):
    """(kind, [Record], seed or None) of a token, or Refused."""
    text = text.strip()
    if not text.startswith(TOKEN_PREFIX):
        raise Refused("the token does not start with %r" % TOKEN_PREFIX)
    b64 = text[len(TOKEN_PREFIX):]
    if not B64URL.match(b64) or len(b64) % 4 == 1:
        raise Refused("the token is not base64url without padding")
    raw = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
    if base64.urlsafe_b64encode(raw).decode().rstrip("=") != b64:
        raise Refused("the token's last base64 digit has bits set past the data")
    b = strict_loads(raw, "the bundle")
    if not isinstance(b, dict) or set(b) not in ({1, 2}, {1, 2, 3}):
        raise Refused("the bundle is not {1: kind, 2: [records], ? 3: seed}")
    kind, recs, seed = b[1], b[2], b.get(3)
    if not is_uint(kind) or kind not in BUNDLE_KINDS:
        raise Refused("bundle kind %r is not 1..4" % (kind,))
    if not isinstance(recs, list) or len(recs) > BUNDLE_MAX:
        raise Refused("the bundle's records are not an array of up to %d" % BUNDLE_MAX)
    if seed is not None and (not isinstance(seed, bytes) or len(seed) != 32):
        raise Refused("the bundle's seed is not 32 bytes")
    out = []
    for i, r in enumerate(recs):
        if not isinstance(r, bytes):
            raise Refused("record %d of the bundle is not a byte string" % (i + 1))
        try:
            out.append(open_record(r))
        except Refused as e:
            raise Refused("record %d of the bundle: %s" % (i + 1, e))
    return kind, out, seed


def verify_token(text):
    try:
        kind, recs, seed = read_token(text)
        for r in recs:
            print("ok %s %s" % (r.type, r.id.hex()))
        why = None
        if kind in (1, 2):
            why = walk(recs, kind == 2)
    except Refused as e:
        print("FAIL token: %s" % e)
        return 1
    if why:
        print("FAIL token %s: %s" % (BUNDLE_KINDS[kind], why))
        return 1
    print("ok token %s of %d records%s" % (BUNDLE_KINDS[kind], len(recs),
                                           " with a seed" if seed else ""))
    return 0


# ---- the samples' story -------------------------------------------------------

def check_chain(recs):
    """The samples' story; returns the number of failed checks."""
    by = {}
    for r in recs:
        by.setdefault(r.type, r)
    failed = 0

    def result(what, why):
        nonlocal failed
        if why:
            print("FAIL chain %s: %s" % (what, why))
            failed += 1
        else:
            print("ok chain %s" % what)

    c, inv, mem = by.get("charter"), by.get("invitation"), by.get("membership")
    if c:
        result("charter", None)  # its signature verified under its issuer
    if c and inv:
        result("invitation", walk([c, inv], False))
    if c and inv and mem:
        result("membership", walk([c, inv, mem], True))
    sh, le = by.get("share"), by.get("lease")
    if sh and le:
        why = None
        if le.fields["issuer"] != sh.fields["issuer"]:
            why = "the lease's issuer is not the share's issuer"
        elif le.fields["gridgrid"] != sh.fields["gridgrid"] or \
                le.fields["name"] != sh.fields["name"]:
            why = "the lease is of another grid-grid than the share"
        result("lease", why)
    if le and by.get("revocation"):
        f = by["revocation"].fields
        why = None
        if f["kind"] == 2 and (f["issuer"] != le.fields["issuer"] or
                               f["lease_id"] != le.fields["lease_id"]):
            why = "the revocation is not of the lease by its issuer"
        result("revocation", why)
    if le and by.get("receipt"):
        f = by["receipt"].fields
        why = None
        if f["issuer"] != le.fields["issuer"] or f["ref"] != le.id or \
                f["lease_id"] != le.fields["lease_id"] or \
                f["subject"] != le.fields["subject"]:
            why = "the receipt is not of the lease by its issuer"
        result("receipt", why)
    if mem and by.get("leave"):
        f = by["leave"].fields
        why = None
        if f["issuer"] != mem.fields["issuer"] or f["ref"] != mem.id:
            why = "the leave does not follow the membership of its issuer"
        result("leave", why)
    return failed


# ---- tampering ----------------------------------------------------------------

def mutants(raw):
    for i in range(len(raw)):
        yield i, raw[:i] + bytes([raw[i] ^ 1]) + raw[i + 1:]


def tamper(path):
    total = accepted = bad = 0
    for t, raw, rid, _ in read_lines(path):
        label, rec, why = verify_line(t, raw, rid)
        if not rec:
            print("FAIL %s: the original does not verify: %s" % (label, why))
            bad += 1
            continue
        n = 0
        for i, m in mutants(raw):
            total += 1
            n += 1
            try:
                open_record(m)
            except Refused:
                continue
            accepted += 1
            print("FAIL %s: byte %d xor 0x01 is accepted" % (label, i))
        print("ok %s %d mutants refused" % (label, n))
    print("%d mutants, %d wrongly accepted" % (total, accepted))
    return bad + accepted


# ---- diagnostic notation ----------------------------------------------------

def diag(obj, indent=0, keynames=None, sub=None):
    """RFC 8949 section 8 diagnostic notation, one map key a line, with the
    key's name as a comment (RFC 8610 appendix G.6). @keynames names the
    keys of this map, @sub those of the maps under each key."""
    pad = "  " * (indent + 1)
    if isinstance(obj, bytes):
        return "h'%s'" % obj.hex()
    if isinstance(obj, str):
        return '"%s"' % obj.replace("\\", "\\\\").replace('"', '\\"')
    if isinstance(obj, int):
        return str(obj)
    if isinstance(obj, CBORTag):
        return "%d(%s)" % (obj.tag, diag(obj.value, indent))
    if isinstance(obj, list):
        if not obj:
            return "[]"
        return "[\n" + ",\n".join(pad + diag(x, indent + 1) for x in obj) + \
            "\n" + "  " * indent + "]"
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        keys = sorted(obj, key=encode)
        out = "{\n"
        for i, k in enumerate(keys):
            name = (keynames or {}).get(k)
            note = "" if name is None else "  / %s /" % name
            v = diag(obj[k], indent + 1, (sub or {}).get(k))
            comma = "," if i + 1 < len(keys) else ""
            if "\n" in v:  # the name after the opening bracket
                head, rest = v.split("\n", 1)
                out += "%s%s: %s%s\n%s%s\n" % (pad, diag(k), head, note, rest, comma)
            else:
                out += "%s%s: %s%s%s\n" % (pad, diag(k), v, comma, note)
        return out + "  " * indent + "}"
    return repr(obj)


def print_diag(path):
    top = {k: v[0] for k, v in KEYS.items()}
    sub = {18: {i + 1: n for i, n in enumerate(LIMITS)},
           21: {i + 1: n for i, n in enumerate(USAGE)}}
    for t, raw, rid, _ in read_lines(path):
        payload = strict_loads(raw, "the record").value[2]
        print("%s\n%s\n" % (t, diag(strict_loads(payload, "the payload"), 0, top, sub)))


def main(argv):
    _selftest()
    mode = "verify"
    if len(argv) == 3 and argv[1] == "--token":
        return verify_token(argv[2])
    if len(argv) == 3 and argv[1] in ("--chain", "--tamper", "--mutants", "--diag"):
        mode, path = argv[1][2:], argv[2]
    elif len(argv) == 2 and not argv[1].startswith("--"):
        path = argv[1]
    else:
        sys.stderr.write(__doc__)
        return 2
    if mode == "tamper":
        return 1 if tamper(path) else 0
    if mode == "mutants":
        for t, raw, rid, _ in read_lines(path):
            for _, m in mutants(raw):
                print(m.hex())
        return 0
    if mode == "diag":
        print_diag(path)
        return 0
    recs, failed = verify_file(path)
    if mode == "chain":
        failed += check_chain(recs)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
