// SPDX-License-Identifier: GPL-2.0
//
// gopeer: grid's peer handshake (user/peer/PROTOCOL.md), written again in Go
// on flynn/noise, to check gridd's peer sessions against something that
// shares no code with them. It plays either side of one session, verifies
// the other side's hello and messages strictly, and can misbehave in one way
// at a time so that a test can see gridd refuse it.
//
// Build, offline, with Debian's golang-go and golang-github-flynn-noise-dev
// (from the top of the tree; tests/gopeer/build.sh OUT does the same):
//
//	cd tests/gopeer && GO111MODULE=off GOPROXY=off GOFLAGS= \
//	    GOPATH=$PWD/../../build/gopeer/gopath:/usr/share/gocode \
//	    GOCACHE=$PWD/../../build/gopeer/gocache go build -o ../../build/tests/gopeer .
//
// Run:
//
//	gopeer -connect '[::1]:7470' -ping 3 [-expect HEX]
//	gopeer -listen '[::1]:0'                   (one connection, then exits)
//	gopeer -connect '[::1]:7470' -bad-binding  (or another fault, below)
//
// Standard output has one line per step ("handshake ok, peer identity HEX
// (session HEX)", "pong ok"); the reason for a non-zero exit goes to
// standard error. Exit status: 0 all went well; 1 something failed (for
// instance the other side's hello, said as "peer ADDR: why"); 2 usage;
// 3 the other side closed the connection (EOF, reset or a bye), which is
// what a fault mode expects; 4 the other side kept the connection open
// without an answer for -timeout; 5 the other side accepted the fault.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/flynn/noise"
)

const (
	exitOK       = 0
	exitFail     = 1
	exitUsage    = 2
	exitClosed   = 3
	exitTimeout  = 4
	exitAccepted = 5
)

const (
	protocolPrologue = "grid peer protocol 1"
	bindingPrefix    = "grid-noise-static-key:"
	maxHello         = 60000
	keepaliveAfter   = 10 * time.Second
	giveUpAfter      = 30 * time.Second

	typePing = 1
	typePong = 2
	typeBye  = 3
)

var (
	connectAddr  = flag.String("connect", "", "dial `HOST:PORT` (the initiator)")
	listenAddr   = flag.String("listen", "", "accept one connection on `ADDR:PORT` (the responder)")
	pings        = flag.Int("ping", 0, "after the handshake, send `N` pings and check their pongs")
	expect       = flag.String("expect", "", "the peer's identity must be `HEX`")
	identitySeed = flag.String("identity-seed", "", "this side's Ed25519 identity from a 32-byte seed in `HEX` (default: random)")
	helloPort    = flag.Int("port", -1, "the port this side's hello announces (default: the -listen port, or 0)")
	timeout      = flag.Duration("timeout", 5*time.Second, "how long to wait for each answer of the peer")
	wait         = flag.Duration("wait", 30*time.Second, "how long -listen waits for the connection")
	hold         = flag.Duration("hold", 0, "keep the session this long after the pings (default: -connect closes at once, -listen waits for the peer to close)")
	prologue     = flag.String("prologue", protocolPrologue, "fault: use `STR` as the Noise prologue")
	badBinding   = flag.Bool("bad-binding", false, "fault: the binding signs another static key")
	wrongID      = flag.Bool("wrong-identity", false, "fault: the binding is signed by a key other than the identity")
	payload0     = flag.Bool("payload0", false, "fault: message 0 has a payload (-connect only)")
	garbage      = flag.Bool("garbage", false, "fault: after the handshake, a transport frame with a flipped bit")
	badCBOR      = flag.Bool("bad-cbor", false, "fault: a hello that is not deterministic CBOR (version 1 in a two-byte head)")
)

// fault is the one way this side misbehaves, or "".
var fault string

var faultSaid = map[string]string{
	"prologue":       "a different prologue",
	"bad-binding":    "a binding over another static key",
	"wrong-identity": "a binding signed by a key other than the identity",
	"payload0":       "a message 0 with a payload",
	"garbage":        "a transport frame with a flipped bit",
	"bad-cbor":       "a hello that is not deterministic CBOR",
}

// ---- how a run ends ---------------------------------------------------------

type outcome struct {
	code int
	msg  string
}

func (o *outcome) Error() string { return o.msg }

func failf(format string, a ...interface{}) error {
	return &outcome{exitFail, fmt.Sprintf(format, a...)}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// netErr says what an error of the connection means: the other side closed
// it, reset it, or kept silent. Errors that are already outcomes pass.
func netErr(what string, err error) error {
	var o *outcome
	switch {
	case errors.As(err, &o):
		return err
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &outcome{exitClosed, what + ": the peer closed the connection (EOF)"}
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return &outcome{exitClosed, what + ": the peer closed the connection (reset)"}
	case isTimeout(err):
		return &outcome{exitTimeout, fmt.Sprintf("%s: timeout, the connection stayed open and silent for %v", what, *timeout)}
	}
	return failf("%s: %v", what, err)
}

// ---- deterministic CBOR (user/record/RECORDS.md §3), strictly -----------------

// Decoded items: uint64, negInt, []byte, string, []interface{}, cborMap, tagged.
type negInt uint64 // the integer -1 - n

type tagged struct {
	tag uint64
	val interface{}
}

type cborMap []struct{ key, val interface{} }

type decoder struct {
	b     []byte
	depth int
}

var errShort = errors.New("the CBOR ends inside an item")

// decodeCBOR reads exactly one item in the deterministic encoding: shortest
// heads, definite lengths, map keys in bytewise order of their encodings and
// none twice, valid UTF-8, no floats or simple values, nothing after it.
func decodeCBOR(b []byte) (interface{}, error) {
	d := &decoder{b: b}
	v, err := d.item()
	if err == nil && len(d.b) > 0 {
		err = fmt.Errorf("%d bytes after the CBOR item", len(d.b))
	}
	return v, err
}

func (d *decoder) head() (major byte, n uint64, err error) {
	if len(d.b) == 0 {
		return 0, 0, errShort
	}
	major, ai := d.b[0]>>5, d.b[0]&31
	d.b = d.b[1:]
	switch {
	case major == 7:
		return 0, 0, errors.New("a float or simple value")
	case ai < 24:
		return major, uint64(ai), nil
	case ai == 31:
		return 0, 0, errors.New("an indefinite length")
	case ai > 27:
		return 0, 0, errors.New("a reserved head")
	}
	size := 1 << (ai - 24)
	if len(d.b) < size {
		return 0, 0, errShort
	}
	for _, c := range d.b[:size] {
		n = n<<8 | uint64(c)
	}
	d.b = d.b[size:]
	if least := [...]uint64{24, 1 << 8, 1 << 16, 1 << 32}[ai-24]; n < least {
		return 0, 0, fmt.Errorf("%d in a head longer than needed", n)
	}
	return major, n, nil
}

func (d *decoder) item() (interface{}, error) {
	if d.depth++; d.depth > 16 {
		return nil, errors.New("CBOR nested too deep")
	}
	defer func() { d.depth-- }()
	major, n, err := d.head()
	if err != nil {
		return nil, err
	}
	switch major {
	case 0:
		return n, nil
	case 1:
		return negInt(n), nil
	case 2, 3:
		if n > uint64(len(d.b)) {
			return nil, errShort
		}
		s := append([]byte(nil), d.b[:n]...)
		d.b = d.b[n:]
		if major == 2 {
			return s, nil
		}
		if !utf8.Valid(s) {
			return nil, errors.New("a text string that is not UTF-8")
		}
		return string(s), nil
	case 4:
		if n > uint64(len(d.b)) {
			return nil, errShort
		}
		a := make([]interface{}, 0, n)
		for i := uint64(0); i < n; i++ {
			v, err := d.item()
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		return a, nil
	case 5:
		if n > uint64(len(d.b)/2) {
			return nil, errShort
		}
		m := make(cborMap, n)
		var prev []byte
		for i := range m {
			rest := d.b
			if m[i].key, err = d.item(); err != nil {
				return nil, err
			}
			raw := rest[:len(rest)-len(d.b)]
			if i > 0 && bytes.Compare(prev, raw) >= 0 {
				return nil, errors.New("map keys out of order or repeated")
			}
			prev = raw
			if m[i].val, err = d.item(); err != nil {
				return nil, err
			}
		}
		return m, nil
	default: // 6
		v, err := d.item()
		return tagged{n, v}, err
	}
}

// fields gives a map whose keys are all unsigned integers, by key.
func fields(v interface{}) (map[uint64]interface{}, error) {
	m, ok := v.(cborMap)
	if !ok {
		return nil, errors.New("not a CBOR map")
	}
	f := make(map[uint64]interface{}, len(m))
	for _, e := range m {
		k, ok := e.key.(uint64)
		if !ok {
			return nil, errors.New("a map key that is not an unsigned integer")
		}
		f[k] = e.val
	}
	return f, nil
}

func appendHead(b []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(b, m|byte(n))
	case n <= 0xff:
		return append(b, m|24, byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, m|25), uint16(n))
	case n <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(b, m|26), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, m|27), n)
}

func appendUint(b []byte, n uint64) []byte  { return appendHead(b, 0, n) }
func appendBytes(b []byte, s []byte) []byte { return append(appendHead(b, 2, uint64(len(s))), s...) }
func appendText(b []byte, s string) []byte  { return append(appendHead(b, 3, uint64(len(s))), s...) }
func appendMapHead(b []byte, n int) []byte  { return appendHead(b, 5, uint64(n)) }

// ---- the hello (PROTOCOL.md §3) --------------------------------------------------

// The points of small order (RECORDS.md §6), compared with the sign bit clear.
var smallOrder = []string{
	"0100000000000000000000000000000000000000000000000000000000000000",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0000000000000000000000000000000000000000000000000000000000000080",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
}

// checkKey refuses an Ed25519 key whose y is not below p = 2^255 - 19 or
// which is a point of small order. (That the point is on the curve the
// binding's verification shows; the prime-order subgroup is not checked.)
func checkKey(k []byte) error {
	y := append([]byte(nil), k...)
	y[31] &= 0x7f
	if y[31] == 0x7f && bytes.Count(y[1:31], []byte{0xff}) == 30 && y[0] >= 0xed {
		return errors.New("identity is not a valid Ed25519 public key (not canonical)")
	}
	for _, s := range smallOrder {
		p, _ := hex.DecodeString(s)
		p[31] &= 0x7f
		if bytes.Equal(p, y) {
			return errors.New("identity is not a valid Ed25519 public key (small order)")
		}
	}
	return nil
}

func bindingStatement(static []byte) []byte {
	return append([]byte(bindingPrefix), static...)
}

// makeHello writes this side's hello, with the fault if it is one of the hello's.
func makeHello(id ed25519.PrivateKey, static []byte, port uint64) []byte {
	signer, bound := id, static
	switch fault {
	case "bad-binding":
		bound = make([]byte, 32)
		rand.Read(bound)
	case "wrong-identity":
		_, signer, _ = ed25519.GenerateKey(rand.Reader)
	}
	b := appendMapHead(nil, 4)
	b = appendUint(b, 1)
	if fault == "bad-cbor" {
		b = append(b, 0x18, 0x01) // version 1 with a head one byte too long
	} else {
		b = appendUint(b, 1)
	}
	b = appendBytes(appendUint(b, 2), id.Public().(ed25519.PublicKey))
	b = appendBytes(appendUint(b, 3), ed25519.Sign(signer, bindingStatement(bound)))
	return appendUint(appendUint(b, 4), port)
}

// checkHello checks the peer's hello in the order of PROTOCOL.md §3 and
// returns its identity; static is the peer's Noise static key as
// flynn/noise read it from the handshake.
func checkHello(b, static []byte) ([]byte, error) {
	if len(b) > maxHello {
		return nil, fmt.Errorf("a hello of %d bytes (at most %d)", len(b), maxHello)
	}
	v, err := decodeCBOR(b)
	if err != nil {
		return nil, fmt.Errorf("hello: %v", err)
	}
	f, err := fields(v)
	if err != nil {
		return nil, fmt.Errorf("hello: %v", err)
	}
	for k := range f {
		if k == 0 || (k >= 7 && k < 64) {
			return nil, fmt.Errorf("hello: key %d is not a hello's", k)
		}
	}
	if f[1] != uint64(1) {
		return nil, fmt.Errorf("hello: version %v, not 1", f[1])
	}
	id, ok := f[2].([]byte)
	if !ok || len(id) != 32 {
		return nil, errors.New("hello: identity is not a 32-byte byte string")
	}
	if err := checkKey(id); err != nil {
		return nil, err
	}
	binding, ok := f[3].([]byte)
	if !ok || len(binding) != 64 {
		return nil, errors.New("hello: binding is not a 64-byte byte string")
	}
	if len(static) != 32 || !ed25519.Verify(ed25519.PublicKey(id), bindingStatement(static), binding) {
		return nil, errors.New("binding does not verify")
	}
	if port, ok := f[4].(uint64); !ok || port > 65535 {
		return nil, errors.New("hello: port is not an unsigned integer up to 65535")
	}
	if g, there := f[6]; there {
		if rec, ok := g.([]byte); !ok || len(rec) == 0 || len(rec) > 4096 {
			return nil, errors.New("hello: grid is not a byte string of 1 to 4096 bytes")
		}
	}
	if p, there := f[5]; there {
		proofs, ok := p.([]interface{})
		if !ok || len(proofs) < 1 || len(proofs) > 8 {
			return nil, errors.New("hello: proofs is not an array of 1 to 8")
		}
		for _, x := range proofs {
			if _, ok := x.([]byte); !ok {
				return nil, errors.New("hello: a proof that is not a byte string")
			}
		}
	}
	return id, nil
}

// ---- messages (PROTOCOL.md §4) ---------------------------------------------------

type message struct {
	typ  uint64
	data []byte // ping, pong
	text string // bye
}

func encodeMessage(m message) []byte {
	b := appendUint(appendUint(appendMapHead(nil, 2), 0), m.typ)
	b = appendUint(b, 1)
	if m.typ == typeBye {
		return appendText(b, m.text)
	}
	return appendBytes(b, m.data)
}

func parseMessage(pt []byte) (message, error) {
	v, err := decodeCBOR(pt)
	if err != nil {
		return message{}, err
	}
	f, err := fields(v)
	if err != nil {
		return message{}, err
	}
	typ, ok := f[0].(uint64)
	if !ok {
		return message{}, errors.New("a message without a type")
	}
	if typ < typePing || typ > typeBye {
		return message{}, fmt.Errorf("a message of unknown type %d", typ)
	}
	for k := range f {
		if k > 1 && k < 64 {
			return message{}, fmt.Errorf("key %d in a message of type %d", k, typ)
		}
	}
	m := message{typ: typ}
	if typ == typeBye {
		if m.text, ok = f[1].(string); !ok || len(m.text) > 512 {
			return message{}, errors.New("a bye whose key 1 is not a text of at most 512 bytes")
		}
	} else if m.data, ok = f[1].([]byte); !ok || len(m.data) > 256 {
		return message{}, fmt.Errorf("a message of type %d whose key 1 is not a bstr of at most 256 bytes", typ)
	}
	return m, nil
}

// ---- the session -----------------------------------------------------------

type peer struct {
	conn       net.Conn
	addr       string // the other side, written as gridd does: [::1]:7470
	initiator  bool
	id         ed25519.PrivateKey
	static     noise.DHKey
	port       uint64
	buf        []byte // what was read of the next frame
	send, recv *noise.CipherState
	lastSent   time.Time
	lastRecv   time.Time
}

// refuse is this side closing the connection, said as gridd logs it.
func (p *peer) refuse(format string, a ...interface{}) error {
	return failf("peer %s: %s", p.addr, fmt.Sprintf(format, a...))
}

func (p *peer) writeFrame(msg []byte) error {
	if len(msg) > 65535 {
		return fmt.Errorf("a message of %d bytes", len(msg))
	}
	p.conn.SetWriteDeadline(time.Now().Add(*timeout))
	_, err := p.conn.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(msg))), msg...))
	p.lastSent = time.Now()
	return err
}

// readFrame returns the next Noise message; what a timeout interrupts
// stays in p.buf for the next call.
func (p *peer) readFrame(deadline time.Time) ([]byte, error) {
	p.conn.SetReadDeadline(deadline)
	chunk := make([]byte, 4096)
	for {
		if len(p.buf) >= 2 {
			n := int(binary.BigEndian.Uint16(p.buf))
			if n < 16 {
				return nil, p.refuse("a message of %d bytes (at least 16)", n)
			}
			if len(p.buf) >= 2+n {
				f := append([]byte(nil), p.buf[2:2+n]...)
				p.buf = p.buf[2+n:]
				p.lastRecv = time.Now()
				return f, nil
			}
		}
		k, err := p.conn.Read(chunk)
		p.buf = append(p.buf, chunk[:k]...)
		if err != nil && (k == 0 || !errors.Is(err, io.EOF)) {
			if errors.Is(err, io.EOF) && len(p.buf) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
}

func (p *peer) sendMessage(pt []byte) error {
	ct, err := p.send.Encrypt(nil, nil, pt)
	if err != nil {
		return err
	}
	return p.writeFrame(ct)
}

// next returns the next ping-less message: it answers pings and skips
// keepalives on the way, and a bye is the peer closing.
func (p *peer) next(deadline time.Time) (message, error) {
	for {
		f, err := p.readFrame(deadline)
		if err != nil {
			return message{}, err
		}
		pt, err := p.recv.Decrypt(nil, nil, f)
		if err != nil {
			return message{}, p.refuse("a transport message does not decrypt")
		}
		if len(pt) == 0 {
			continue
		}
		m, err := parseMessage(pt)
		if err != nil {
			return message{}, p.refuse("%v", err)
		}
		switch m.typ {
		case typePing:
			if err := p.sendMessage(encodeMessage(message{typ: typePong, data: m.data})); err != nil {
				return message{}, netErr("answering a ping", err)
			}
		case typeBye:
			return message{}, &outcome{exitClosed, fmt.Sprintf("the peer said bye (%q)", m.text)}
		default:
			return m, nil
		}
	}
}

// Pings of these lengths cover each size of a byte string's head.
var pingSizes = []int{16, 23, 24, 255, 256, 0, 1}

func (p *peer) pingPong(n int) error {
	for i := 0; i < n; i++ {
		data := make([]byte, pingSizes[i%len(pingSizes)])
		rand.Read(data)
		if err := p.sendMessage(encodeMessage(message{typ: typePing, data: data})); err != nil {
			return netErr(fmt.Sprintf("ping %d", i+1), err)
		}
		m, err := p.next(time.Now().Add(*timeout))
		if err != nil {
			return netErr(fmt.Sprintf("waiting for pong %d", i+1), err)
		}
		if m.typ != typePong || !bytes.Equal(m.data, data) {
			return p.refuse("pong %d does not echo its ping: sent %x, got type %d %x", i+1, data, m.typ, m.data)
		}
		fmt.Println("pong ok")
	}
	return nil
}

// serve answers the peer until end (if not zero) or until it closes; a
// keepalive after 10 s without sending, and 30 s with nothing received is
// the end of the session.
func (p *peer) serve(end time.Time) error {
	for {
		wake := p.lastSent.Add(keepaliveAfter)
		giveUp := p.lastRecv.Add(giveUpAfter)
		if giveUp.Before(wake) {
			wake = giveUp
		}
		if !end.IsZero() && end.Before(wake) {
			wake = end
		}
		m, err := p.next(wake)
		if isTimeout(err) {
			now := time.Now()
			switch {
			case !end.IsZero() && !now.Before(end):
				return nil
			case !now.Before(giveUp):
				return &outcome{exitTimeout, fmt.Sprintf("nothing received for %v", giveUpAfter)}
			case !now.Before(p.lastSent.Add(keepaliveAfter)):
				if err := p.sendMessage(nil); err != nil {
					return netErr("keepalive", err)
				}
			}
			continue
		}
		if err != nil {
			return netErr("serving", err)
		}
		return p.refuse("a message of type %d for nothing this side sent", m.typ)
	}
}

// expectClose waits for the peer to close the connection after the fault:
// exitClosed if it does; exitAccepted if it answers instead.
func (p *peer) expectClose() error {
	after := faultSaid[fault]
	deadline := time.Now().Add(*timeout)
	for {
		f, err := p.readFrame(deadline)
		if err != nil {
			return netErr("after "+after, err)
		}
		if p.recv == nil {
			return &outcome{exitAccepted, fmt.Sprintf("the peer went on with the handshake (a %d-byte message) after %s", len(f), after)}
		}
		pt, err := p.recv.Decrypt(nil, nil, f)
		if err != nil {
			return p.refuse("a transport message does not decrypt")
		}
		if len(pt) == 0 {
			continue // a keepalive
		}
		m, err := parseMessage(pt)
		if err != nil {
			return p.refuse("%v", err)
		}
		switch m.typ {
		case typeBye:
			fmt.Printf("the peer said bye (%q)\n", m.text)
		case typePong:
			return &outcome{exitAccepted, fmt.Sprintf("the peer answered the ping sent after %s", after)}
		}
		// A ping of the peer's own (sent before it read the fault) is no
		// answer, and goes unanswered.
	}
}

// handshake runs XX to its end, or to where this side's fault leaves it
// waiting for the peer to close.
func (p *peer) handshake() error {
	hs, err := noise.NewHandshakeState(noise.Config{
		CipherSuite:   noise.NewCipherSuite(noise.DH25519, noise.CipherChaChaPoly, noise.HashSHA256),
		Pattern:       noise.HandshakeXX,
		Initiator:     p.initiator,
		Prologue:      []byte(*prologue),
		StaticKeypair: p.static,
	})
	if err != nil {
		return err
	}
	hello := makeHello(p.id, p.static.Public, p.port)
	helloFault := fault == "bad-binding" || fault == "wrong-identity" || fault == "bad-cbor"
	var peerHello []byte
	if p.initiator {
		var payload []byte
		if fault == "payload0" {
			payload = []byte("fault")
		}
		m0, _, _, err := hs.WriteMessage(nil, payload)
		if err != nil {
			return err
		}
		if err := p.writeFrame(m0); err != nil {
			return netErr("sending message 0", err)
		}
		if fault == "payload0" {
			fmt.Printf("sent message 0 with a %d-byte payload\n", len(payload))
			return p.expectClose()
		}
		m1, err := p.readFrame(time.Now().Add(*timeout))
		if err != nil {
			return netErr("waiting for message 1", err)
		}
		if peerHello, _, _, err = hs.ReadMessage(nil, m1); err != nil {
			if fault != "prologue" {
				return p.refuse("message 1 does not decrypt")
			}
			// The responder cannot see the prologue until message 2: send
			// one that cannot decrypt, of the length a real one would have.
			fmt.Printf("message 1 does not decrypt with prologue %q, as expected; sending a message 2 that cannot decrypt\n", *prologue)
			junk := make([]byte, 32+16+len(hello)+16)
			rand.Read(junk)
			if err := p.writeFrame(junk); err != nil {
				return netErr("sending message 2", err)
			}
			return p.expectClose()
		}
		// Checked before message 2, which shows this side's identity.
		id, err := p.checkHello(peerHello, hs.PeerStatic())
		if err != nil {
			return err
		}
		m2, cs1, cs2, err := hs.WriteMessage(nil, hello)
		if err != nil {
			return err
		}
		if err := p.writeFrame(m2); err != nil {
			return netErr("sending message 2", err)
		}
		p.send, p.recv = cs1, cs2
		p.established(hs, id)
		return nil
	}
	m0, err := p.readFrame(time.Now().Add(*timeout))
	if err != nil {
		return netErr("waiting for message 0", err)
	}
	payload, _, _, err := hs.ReadMessage(nil, m0)
	if err != nil {
		return p.refuse("message 0: %v", err)
	}
	if len(payload) != 0 {
		return p.refuse("message 0 has a %d-byte payload", len(payload))
	}
	m1, _, _, err := hs.WriteMessage(nil, hello)
	if err != nil {
		return err
	}
	if err := p.writeFrame(m1); err != nil {
		return netErr("sending message 1", err)
	}
	if helloFault || fault == "prologue" {
		return p.expectClose()
	}
	m2, err := p.readFrame(time.Now().Add(*timeout))
	if err != nil {
		return netErr("waiting for message 2", err)
	}
	peerHello, cs1, cs2, err := hs.ReadMessage(nil, m2)
	if err != nil {
		return p.refuse("message 2 does not decrypt")
	}
	id, err := p.checkHello(peerHello, hs.PeerStatic())
	if err != nil {
		return err
	}
	p.recv, p.send = cs1, cs2
	p.established(hs, id)
	return nil
}

// checkHello checks the peer's hello and, with -expect, its identity; a
// failure is this side refusing the peer.
func (p *peer) checkHello(hello, static []byte) ([]byte, error) {
	id, err := checkHello(hello, static)
	if err != nil {
		return nil, p.refuse("%v", err)
	}
	if want, _ := hex.DecodeString(*expect); *expect != "" && !bytes.Equal(want, id) {
		return nil, failf("peer %s is %x, not the expected %x", p.addr, id, want)
	}
	return id, nil
}

// established says so, with the session's id: h's first 8 bytes (§2).
func (p *peer) established(hs *noise.HandshakeState, id []byte) {
	fmt.Printf("handshake ok, peer identity %x (session %x)\n", id, hs.ChannelBinding()[:8])
}

// ---- main ----------------------------------------------------------------

func usage(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "gopeer: "+format+"\n", a...)
	flag.Usage()
	os.Exit(exitUsage)
}

func main() {
	flag.Parse()
	if flag.NArg() > 0 {
		usage("unexpected argument %q", flag.Arg(0))
	}
	if (*connectAddr == "") == (*listenAddr == "") {
		usage("one of -connect and -listen")
	}
	n := 0
	for name, on := range map[string]bool{
		"prologue": *prologue != protocolPrologue, "bad-binding": *badBinding,
		"wrong-identity": *wrongID, "payload0": *payload0, "garbage": *garbage, "bad-cbor": *badCBOR,
	} {
		if on {
			fault, n = name, n+1
		}
	}
	if n > 1 {
		usage("one fault at a time")
	}
	if fault == "payload0" && *listenAddr != "" {
		usage("-payload0 is the initiator's fault (-connect)")
	}
	if w, err := hex.DecodeString(*expect); err != nil || (*expect != "" && len(w) != 32) {
		usage("-expect takes a 32-byte key in hex")
	}
	if *pings < 0 || *helloPort > 65535 {
		usage("-ping takes N >= 0 and -port 0 to 65535")
	}
	err := run()
	if err == nil {
		os.Exit(exitOK)
	}
	var o *outcome
	if !errors.As(err, &o) {
		o = &outcome{exitFail, err.Error()}
	}
	fmt.Fprintln(os.Stderr, "gopeer: "+o.msg)
	os.Exit(o.code)
}

func run() error {
	var id ed25519.PrivateKey
	if *identitySeed != "" {
		seed, err := hex.DecodeString(*identitySeed)
		if err != nil || len(seed) != ed25519.SeedSize {
			return &outcome{exitUsage, "-identity-seed takes 32 bytes in hex"}
		}
		id = ed25519.NewKeyFromSeed(seed)
	} else {
		_, id, _ = ed25519.GenerateKey(rand.Reader)
	}
	static, err := noise.DH25519.GenerateKeypair(rand.Reader)
	if err != nil {
		return err
	}
	fmt.Printf("identity %x\n", id.Public())

	p := &peer{id: id, static: static, initiator: *connectAddr != ""}
	if p.initiator {
		if p.conn, err = net.DialTimeout("tcp", *connectAddr, *timeout); err != nil {
			return failf("%v", err)
		}
		fmt.Printf("connected to %s from %s\n", p.conn.RemoteAddr(), p.conn.LocalAddr())
	} else {
		ln, err := net.Listen("tcp", *listenAddr)
		if err != nil {
			return failf("%v", err)
		}
		p.port = uint64(ln.Addr().(*net.TCPAddr).Port)
		fmt.Printf("listening on %s\n", ln.Addr())
		ln.(*net.TCPListener).SetDeadline(time.Now().Add(*wait))
		p.conn, err = ln.Accept()
		ln.Close()
		if err != nil {
			return failf("no connection: %v", err)
		}
		fmt.Printf("accepted %s on %s\n", p.conn.RemoteAddr(), p.conn.LocalAddr())
	}
	defer p.conn.Close()
	if *helloPort >= 0 {
		p.port = uint64(*helloPort)
	}
	p.addr = p.conn.RemoteAddr().String()
	p.lastRecv = time.Now()

	if err := p.handshake(); err != nil || p.send == nil {
		return err
	}
	switch fault {
	case "garbage":
		// The same ciphertext twice, the first with a bit flipped: a peer
		// that tolerates the first answers the second.
		ct, err := p.send.Encrypt(nil, nil, encodeMessage(message{typ: typePing, data: []byte("after garbage")}))
		if err != nil {
			return err
		}
		bad := append([]byte(nil), ct...)
		bad[0] ^= 1
		if err := p.writeFrame(bad); err != nil {
			return netErr("sending the garbage", err)
		}
		fmt.Println("sent a transport message with a flipped bit")
		if err := p.writeFrame(ct); err != nil {
			return netErr("after "+faultSaid[fault], err)
		}
		return p.expectClose()
	case "bad-binding", "wrong-identity", "bad-cbor", "prologue":
		// Our message 2 was the fault: a ping, which only a peer that
		// accepted it answers.
		if err := p.sendMessage(encodeMessage(message{typ: typePing, data: []byte("after the fault")})); err != nil {
			return netErr("after "+faultSaid[fault], err)
		}
		return p.expectClose()
	}
	if err := p.pingPong(*pings); err != nil {
		return err
	}
	if *hold > 0 {
		if err := p.serve(time.Now().Add(*hold)); err != nil {
			return err
		}
	} else if !p.initiator {
		err := p.serve(time.Time{})
		var o *outcome
		if errors.As(err, &o) && o.code == exitClosed {
			fmt.Println("the peer closed the session")
			return nil
		}
		return err
	}
	if err := p.sendMessage(encodeMessage(message{typ: typeBye, text: "done"})); err != nil {
		return netErr("bye", err)
	}
	return nil
}
