#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# gridctl run, jobs, job attach and job kill on the host: their grammar
# and refusals; against a real gridd (which cannot run a job here, with
# no peer), that a failure is one sentence and exit status 255; and the
# streams themselves against a small fake gridd (a Python script below
# that speaks the local API's job ops as API.md has them), as ssh would
# be judged: bytes in and out exactly, the job's exit status, ^C, -t's
# raw terminal put back, the lease asked for when none is held.
#
#   gridctl --(unix socket)--> fake gridd: jobs "cat", "big", "oom", ...
#
# Prints PASS/FAIL lines for tests/run.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
T=host/gridctl_run
D=$(mktemp -d)
B=$top/build/bin
PY=/usr/bin/python3
failures=0
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT

ok() {
	local name=$1
	shift
	if "$@" >/dev/null 2>"$D/err"; then
		echo "PASS $T/$name"
	else
		echo "FAIL $T/$name: $* ($(head -c 300 "$D/err"))"
		failures=$((failures + 1))
	fi
}
# refused STATUS TEXT CMD...: CMD exits with STATUS and says TEXT on stderr.
refused() {
	local want=$1 s=$2 err rc=0
	shift 2
	err=$("$@" 2>&1 >/dev/null) || rc=$?
	((rc == want)) || { echo "exit status $rc, not $want: $err" >&2; return 1; }
	[[ $err == *"$s"* ]] || { echo "said: $err" >&2; return 1; }
}
up() {
	printf 'state_dir %s/%s\nsocket %s/%s.sock\nbpf no\n' "$D" "$1" "$D" "$1" >"$D/$1.conf"
	: >"$D/$1.log"
	"$B/gridd" --config "$D/$1.conf" 2>>"$D/$1.log" &
	pids+=($!)
	for ((i = 0; i < 100; i++)); do
		[[ -S $D/$1.sock ]] && grep -q 'gridd: ready' "$D/$1.log" && return 0
		sleep 0.05
	done
	return 1
}
H() { "$B/gridctl" -S "$D/home.sock" "$@"; }
# F: against the fake gridd.
F() { "$B/gridctl" -S "$D/fake.sock" "$@"; }

if [[ ! -x $B/gridd || ! -x $B/gridctl ]]; then
	echo "SKIP $T: build/bin/gridd or gridctl is not built"
	exit 0
fi

# ---- grammar: sentences before anyone is asked ---------------------------------
N() { "$B/gridctl" -S "$D/nothing.sock" "$@"; }
ok run_help_prints_the_grammar sh -c "'$B/gridctl' run help | grep -q -- '-- CMD'"
ok missing_dashdash_is_said refused 255 "missing '--' before the command" N run on pi
ok a_command_without_dashdash_is_said refused 255 "unknown word 'ls'; the command to run comes after '--'" N run on pi ls
ok missing_command_is_said refused 255 "missing the command after '--'" N run on pi --
ok run_without_on_is_not_built refused 255 "'on PEER' is needed: choosing a provider without it is not built yet" N run -- true
ok bad_size_is_said refused 255 "'memory' takes a size like 512M or 2G, or max, not '5Q'" N run on pi memory 5Q -- true
ok bad_cores_are_said refused 255 "'cpu' takes" N run on pi cpu lots -- true
ok bad_time_is_said refused 255 "'time' takes a duration" N run on pi time soon -- true
ok bad_net_is_said refused 255 "'net' takes none or egress, not 'wifi'" N run on pi net wifi -- true
ok bad_lease_is_said refused 255 "'lease' takes a whole number" N run on pi lease x -- true
ok bad_gridgrid_is_said refused 255 "'in' takes a name" N run in Club on pi -- true
ok on_without_a_value_is_said refused 255 "'on' needs a value" N run on -- true
ok put_is_not_built refused 255 "'put' (copying files to the job) is not built yet" N run on pi put a.txt -- cat a.txt
ok get_is_not_built refused 255 "'get' (copying files from the job) is not built yet" N run on pi get out -- true
ok json_is_refused_for_run refused 255 "-j and -p do not apply" N -j run on pi -- true
ok no_gridd_is_said_with_255 refused 255 "gridd is not running" N run on pi -- true
ok kill_takes_an_id refused 2 "is not a job's id" N job kill xyz
ok kill_takes_a_signal refused 2 "'FOO' is not a signal" N job kill abcd FOO
ok attach_takes_an_id refused 255 "is not a job's id" N job attach 12
ok job_help_lists_its_commands sh -c "'$B/gridctl' job help | grep -q attach"
ok top_help_lists_run sh -c "'$B/gridctl' help | grep -q '^  run '"

# ---- a real gridd: it knows no such peer ----------------------------------------
ok home_up up home
ok home_init H init home
unknown_peer() {
	local err rc=0
	err=$(H run on nosuch -- true 2>&1 >/dev/null) || rc=$?
	((rc == 255)) || { echo "exit status $rc: $err" >&2; return 1; }
	[[ -n $err && $err == "gridctl: run: "* && $err != *$'\n'* ]] ||
		{ echo "said: '$err'" >&2; return 1; }
}
ok unknown_peer_is_one_sentence_and_255 unknown_peer
ok jobs_lists_none sh -c "'$B/gridctl' -S '$D/home.sock' -j jobs | jq -e '.jobs == []'"
ok kill_of_no_job_is_refused refused 1 "job kill:" H job kill 0123456789abcdef0123456789abcdef
ok attach_of_no_job_is_255 refused 255 "no job" H job attach 0123456789abcdef0123456789abcdef

# ---- the fake gridd ----------------------------------------------------------------
cat >"$D/fake.py" <<'EOF'
# A gridd that serves only what gridctl run and job need, after API.md:
# jobs that are Python stand-ins, answered over the local API. Its log
# ($D/fake.log) says what gridctl sent: signals, sizes, input, done.
import os, socketserver, struct, sys, threading, time

A = dict(GRIDGRID=3, LIMITS=5, SECONDS=6, LEASE_ID=9, REASON=12, NOT_AFTER=15,
	 OFFSET=16, STATE=17, ROLE=24, PROVIDER=32, REQUEST=33, SINCE=34, JOB=39,
	 ARGV=40, TTY=41, ROWS=42, COLS=43, NET=44, OUT=45, ERR=46, OUT_OFF=47,
	 ERR_OFF=48, IN=49, IN_OFF=50, IN_DONE=51, EOF=52, SIGNAL=53, STATUS=54,
	 DONE=55)
WINDOW, CHUNK = 256 << 10, 24 << 10
# proto.c reads no byte string past 4096 bytes (GRID_RECORD_MAX) yet.
ANSWER = 4096

def head(major, n):
	if n < 24: return bytes([major << 5 | n])
	for ai, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
		if n < 1 << (8 * size):
			return bytes([major << 5 | ai]) + n.to_bytes(size, 'big')

def enc(v):
	if isinstance(v, int):
		return head(0, v) if v >= 0 else head(1, -1 - v)
	if isinstance(v, (bytes, bytearray)): return head(2, len(v)) + bytes(v)
	if isinstance(v, str):
		b = v.encode()
		return head(3, len(b)) + b
	if isinstance(v, list): return head(4, len(v)) + b''.join(enc(x) for x in v)
	kv = sorted((enc(k), enc(x)) for k, x in v.items())
	return head(5, len(v)) + b''.join(k + x for k, x in kv)

def dec(b, i=0):
	major, ai = b[i] >> 5, b[i] & 31
	i += 1
	n = ai
	if ai >= 24:
		size = 1 << (ai - 24)
		n = int.from_bytes(b[i:i + size], 'big')
		i += size
	if major == 0: return n, i
	if major == 1: return -1 - n, i
	if major == 2: return b[i:i + n], i + n
	if major == 3: return b[i:i + n].decode(), i + n
	if major == 4:
		out = []
		for _ in range(n):
			x, i = dec(b, i)
			out.append(x)
		return out, i
	d = {}
	for _ in range(n):
		k, i = dec(b, i)
		d[k], i = dec(b, i)
	return d, i

lock = threading.Condition()
logf = open(sys.argv[2], 'a', buffering=1)
def log(*w): logf.write(' '.join(str(x) for x in w) + '\n')

class Job:
	def __init__(j, jid, argv, provider, lease, tty=0):
		j.id, j.argv, j.provider, j.lease, j.tty = jid, argv, provider, lease, tty
		j.out, j.err, j.inp = bytearray(), bytearray(), bytearray()
		j.in_done, j.eof, j.state, j.status, j.reason = 0, False, 'running', None, None
		j.delivered = [0, 0]
		j.since = int(time.time())
		j.gen = 0
		what = argv[0] if argv else ''
		if what == 'big':
			j.out += bytes((i * 7 + i // 251) & 0xff for i in range(300000))
			j.err += b'warn\n'
			j.end(7 << 8)
		elif what == 'oom':
			j.out += b'partial'
			j.end(9, 'the job was out of memory (512M)')
		elif what == 'argv':
			j.out += b'\0'.join(a.encode() for a in argv) + b'\n'
			j.end(0)
		elif what == 'tty':
			j.out += b'ready\r\n'
	def end(j, status, reason=None):
		j.state, j.status, j.reason = 'ended', status, reason
		j.gen += 1
	def take_input(j):
		# cat takes input only as its output is written out: a window.
		if j.argv[0] in ('cat', 'tty'):
			j.in_done = min(len(j.inp), j.delivered[0] + 65536)
			new = j.inp[len(j.out) if j.argv[0] == 'cat' else 0:j.in_done]
			if j.argv[0] == 'cat':
				j.out += new
			if j.eof and j.in_done == len(j.inp) and j.state == 'running':
				j.end(0)
			if j.argv[0] == 'tty' and b'q' in j.inp and j.state == 'running':
				log('tty-input', j.inp.hex())
				j.end(5 << 8)
		elif j.argv[0] == 'wc':
			j.in_done = len(j.inp)
			if j.eof and j.state == 'running':
				j.out += b'%d\n' % len(j.inp)
				j.end(0)
		else:
			j.in_done = len(j.inp)
	def signal(j, n):
		log('signal', j.id.hex(), n)
		if j.state != 'running': return
		if j.argv[0] == 'stubborn' and n == 2:
			j.err += b'ignoring SIGINT\n'
			j.gen += 1
			return
		if n in (2, 9, 13, 15):
			j.end(n)
	def item(j, out_off, err_off):
		m = {A['JOB']: j.id, A['STATE']: j.state, A['OUT_OFF']: out_off,
		     A['ERR_OFF']: err_off, A['IN_DONE']: j.in_done,
		     A['OUT']: bytes(j.out[out_off:out_off + ANSWER]),
		     A['ERR']: bytes(j.err[err_off:err_off + ANSWER])}
		if j.state == 'ended':
			m[A['STATUS']] = j.status
			if j.reason: m[A['REASON']] = j.reason
		return m
	def listed(j):
		m = {A['JOB']: j.id, A['PROVIDER']: j.provider, A['STATE']: j.state,
		     A['ARGV']: b''.join(a.encode() + b'\0' for a in j.argv),
		     A['LEASE_ID']: j.lease, A['SINCE']: j.since,
		     A['OUT_OFF']: j.delivered[0], A['ERR_OFF']: j.delivered[1],
		     A['TTY']: j.tty}
		if j.state == 'ended': m[A['STATUS']] = j.status
		if j.reason: m[A['REASON']] = j.reason
		return m

jobs = {}
# Two jobs gridctl did not start: one ended, part of its output delivered;
# one running, to be killed. Their ids share the start abcd.
old = Job(bytes.fromhex('abcd0001' + '00' * 12), ['argv', 'old', 'job'], 'pi', 17)
old.delivered = [4, 0]
jobs[old.id] = old
run = Job(bytes.fromhex('abcd0002' + '00' * 12), ['sleep', '1d'], 'pi', 17)
jobs[run.id] = run
# One run with -t elsewhere, to attach to; one whose provider writes
# terminal escapes and a forged line into its name and its reason.
tj = Job(bytes.fromhex('abce0003' + '00' * 12), ['tty'], 'pi', 17, 1)
jobs[tj.id] = tj
ESC = '\x1b]0;owned\x07\x1b[2J\ngridctl: all is well\r'
evil = Job(bytes.fromhex('abcf0004' + '00' * 12), ['true'], 'evil\x1b[31m', 17)
evil.end(9, 'killed' + ESC)
jobs[evil.id] = evil
flaky_left = [1]
slow_left = [1]

def fail(status, msg):
	return {1: 1, 2: status, 3: msg}

def serve(c, op, a):
	g = lambda k, d=None: a.get(A[k], d)
	if op == 12:	# gridgrid-list
		if c.last == 'twogg':
			return [{3: 'clubhouse', 17: 'member'}, {3: 'lab', 17: 'member'}]
		return [{3: 'oldclub', 17: 'left'}, {3: 'clubhouse', 17: 'member'}]
	if op == 23:	# lease-list
		return [{9: 17, 24: 'held', 17: 'live', 15: int(time.time()) + 3600}]
	if op == 28:	# lease-request
		log('lease-request', g('GRIDGRID'), g('PROVIDER'), g('SECONDS'), len(g('REQUEST')))
		return [{9: 18, 3: g('GRIDGRID'), 15: int(time.time()) + g('SECONDS')}]
	if op == 29:	# job-run
		prov = g('PROVIDER')
		c.last = prov
		argv = [w.decode() for w in g('ARGV').split(b'\0')[:-1]]
		if prov == 'refuse':
			return fail(-1, 'refuse refused the job: not in its policy')
		if prov == 'evil':
			return fail(-1, 'evil refused the job: ' + ESC)
		if prov == 'slowpi' and slow_left[0]:
			slow_left[0] -= 1
			return fail(-115, 'no answer from slowpi yet; the job stays asked')
		if prov in ('nolease', 'twogg') and g('LEASE_ID') is None:
			return fail(-126, 'this grid holds no live lease from %s' % prov)
		with lock:
			j = jobs.get(g('JOB'))
			if not j:
				j = Job(g('JOB'), argv, prov, g('LEASE_ID', 17), g('TTY', 0))
				jobs[j.id] = j
				log('run', j.id.hex(), 'lease', j.lease, 'tty', g('TTY'),
				    'rows', g('ROWS'), 'cols', g('COLS'), 'net', g('NET'))
		return [{A['JOB']: j.id, A['PROVIDER']: prov, A['LEASE_ID']: j.lease,
			 A['STATE']: 'running'}]
	if op == 31:	# job-list
		with lock:
			return [j.listed() for j in jobs.values()]
	j = jobs.get(g('JOB'))
	if not j:
		return fail(-2, 'no job of yours has that id')
	if op == 32:	# job-signal
		with lock:
			j.signal(g('SIGNAL'))
			lock.notify_all()
		return []
	# job-io
	acts = any(A[k] in a for k in ('IN', 'EOF', 'SIGNAL', 'ROWS', 'DONE'))
	with lock:
		if j.provider == 'flaky' and A['IN'] in a and flaky_left[0]:
			flaky_left[0] -= 1
			log('eagain')
			return fail(-11, 'the provider is not reachable now; send it again')
		oo, eo = g('OUT_OFF'), g('ERR_OFF')
		j.delivered = [max(j.delivered[0], oo), max(j.delivered[1], eo)]
		if A['IN'] in a:
			data, off = g('IN'), g('IN_OFF')
			if off != len(j.inp) or len(data) > CHUNK or off + len(data) > j.in_done + WINDOW:
				log('bad-input', off, len(data), len(j.inp), j.in_done)
				return fail(-22, 'input at %d of %d bytes is out of its window' % (off, len(data)))
			j.inp += data
		if g('EOF'):
			log('eof', g('IN_OFF'))
			j.eof = True
		if g('SIGNAL'):
			j.signal(g('SIGNAL'))
		if g('ROWS'):
			log('resize' if j.tty else 'resize-of-a-pipe-job', g('ROWS'), g('COLS'),
			    j.id.hex()[:8])
		if g('DONE'):
			log('done', j.id.hex(), oo, eo)
		j.take_input()
		lock.notify_all()
		# Nothing to say: wait a while for something.
		end = time.monotonic() + 1
		while not acts:
			new = (len(j.out) > oo or len(j.err) > eo or
			       (A['IN_DONE'] in a and g('IN_DONE') != j.in_done) or
			       j.state == 'ended')
			if new or time.monotonic() >= end:
				break
			lock.wait(end - time.monotonic())
			j.take_input()
		return [j.item(oo, eo)]

class Conn(socketserver.BaseRequestHandler):
	def handle(self):
		self.last = None
		while True:
			h = self.request.recv(4, socketserver.socket.MSG_WAITALL)
			if len(h) < 4: return
			n = struct.unpack('>I', h)[0]
			body = b''
			while len(body) < n:
				chunk = self.request.recv(n - len(body))
				if not chunk: return
				body += chunk
			req, _ = dec(body)
			r = serve(self, req[2], req.get(3, {}))
			if isinstance(r, list):
				r = {1: 1, 2: 0, 4: r} if r else {1: 1, 2: 0}
			b = enc(r)
			self.request.sendall(struct.pack('>I', len(b)) + b)

class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
	daemon_threads = True

Server(sys.argv[1], Conn).serve_forever()
EOF
"$PY" "$D/fake.py" "$D/fake.sock" "$D/fake.log" 2>"$D/fake.err" &
pids+=($!)
for ((i = 0; i < 100; i++)); do [[ -S $D/fake.sock ]] && break; sleep 0.05; done

# exits STATUS CMD...: CMD's exit status is STATUS.
exits() {
	local want=$1 rc=0
	shift
	"$@" || rc=$?
	((rc == want)) || { echo "exit status $rc, not $want" >&2; return 1; }
}
logged() { grep -q -- "$1" "$D/fake.log"; }
Fq() { F "$@" </dev/null >/dev/null 2>&1; }

head -c 1000000 /dev/urandom >"$D/in.bin"
ok binary_input_comes_back_exactly sh -c "'$B/gridctl' -S '$D/fake.sock' run on pi -- cat <'$D/in.bin' >'$D/out.bin' && cmp '$D/in.bin' '$D/out.bin'"
ok input_stayed_in_its_window sh -c "! grep -q bad-input '$D/fake.log'"
ok eof_is_sent_at_the_inputs_end logged "^eof 1000000$"
ok done_is_sent_after_the_output logged "^done .* 1000000 0$"
ok output_and_error_output_exactly sh -c "'$B/gridctl' -S '$D/fake.sock' run on pi -- big >'$D/big.out' 2>'$D/big.err'; test \$? = 7 &&
	test \$(stat -c %s '$D/big.out') = 300000 && test \"\$(cat '$D/big.err')\" = warn &&
	$PY -c 'import sys; d=open(sys.argv[1],\"rb\").read(); sys.exit(d != bytes((i*7+i//251)&255 for i in range(300000)))' '$D/big.out'"
ok the_jobs_exit_status_is_ours exits 7 Fq run on pi -- big
ok a_signal_is_128_plus_it exits 137 Fq run on pi -- oom
ok why_the_grid_ended_it_is_said refused 137 "gridctl: pi: the job was killed: the job was out of memory (512M)" F run on pi -- oom
ok words_arrive_as_given sh -c "test \"\$('$B/gridctl' -S '$D/fake.sock' run on pi -- argv 'a b' '' \"it's\" </dev/null | tr '\\0' '|')\" = \"argv|a b||it's\""
ok net_and_size_words_are_sent sh -c "'$B/gridctl' -S '$D/fake.sock' run on pi net none -- argv x </dev/null >/dev/null && grep -q 'net none' '$D/fake.log'"
ok a_refused_job_is_one_sentence_and_255 refused 255 "gridctl: run: refuse refused the job: not in its policy" F run on refuse -- true
ok a_slow_start_is_waited_for exits 0 F run on slowpi -- argv x </dev/null
ok the_provider_away_is_waited_out sh -c "echo hello | '$B/gridctl' -S '$D/fake.sock' run on flaky -- cat | grep -qx hello && grep -q eagain '$D/fake.log'"
ok without_a_lease_one_is_asked_for refused 0 "asked nolease for a lease in clubhouse" F run -v on nolease cpu 1 memory 64M time 10m -- argv x
ok it_was_asked_for_as_told logged "^lease-request clubhouse nolease 600 16$"
ok the_job_runs_under_it logged " lease 18 "
ok a_held_lease_is_named_with_v refused 0 "using lease 17 from pi (held, live until" F run -v on pi -- argv x
ok two_gridgrids_need_in refused 255 "is in 2 grid-grids (clubhouse, lab): say which to ask for one in with 'in GRIDGRID'" F run on twogg -- true
ok in_names_the_gridgrid sh -c "'$B/gridctl' -S '$D/fake.sock' run in lab on twogg -- argv y </dev/null >/dev/null && grep -q '^lease-request lab twogg 3600' '$D/fake.log'"

# ^C: the first is SIGINT to the job, the second SIGKILL (a stubborn job
# ignores the first). A background job of a script ignores SIGINT, so
# Python starts gridctl with it back to the default.
interrupted() {
	"$PY" - "$B/gridctl" "$D/fake.sock" <<'EOF'
import signal, subprocess, sys, time
p = subprocess.Popen([sys.argv[1], '-S', sys.argv[2], 'run', 'on', 'pi', '--', 'stubborn'],
		     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
		     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
time.sleep(0.5)
p.send_signal(signal.SIGINT)
time.sleep(0.5)
p.send_signal(signal.SIGINT)
out, err = p.communicate(timeout=10)
if p.returncode != 137 or b'ignoring SIGINT' not in err:
	sys.exit('exit status %d, stderr %r' % (p.returncode, err))
EOF
}
ok ctrl_c_twice_is_sigint_then_sigkill interrupted
ok both_were_sent sh -c "grep -q '^signal .* 2$' '$D/fake.log' && grep -q '^signal .* 9$' '$D/fake.log'"
ok a_closed_stdout_is_sigpipe_to_the_job exits 141 bash -c "'$B/gridctl' -S '$D/fake.sock' run on pi -- cat </dev/zero | head -c 100000 >/dev/null; exit \${PIPESTATUS[0]}"

# -t: a terminal of our own (a pty), raw while the job runs and put back
# after; ^C is a byte to the job, not a signal; a resize is sent.
with_tty() {
	"$PY" - "$B/gridctl" "$D/fake.sock" "$D/fake.log" <<'EOF'
import fcntl, os, signal, struct, subprocess, sys, termios, time
gridctl, sock, logp = sys.argv[1:4]
m, s = os.openpty()
fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 100, 0, 0))
before = termios.tcgetattr(s)
def child():
	os.setsid()
	fcntl.ioctl(0, termios.TIOCSCTTY, 0)
p = subprocess.Popen([gridctl, '-S', sock, 'run', '-t', 'on', 'pi', '--', 'tty'],
		     stdin=s, stdout=s, stderr=s, preexec_fn=child)
got = b''
end = time.time() + 10
while b'ready' not in got and time.time() < end:
	got += os.read(m, 1024)
raw = termios.tcgetattr(s)
fcntl.ioctl(m, termios.TIOCSWINSZ, struct.pack('HHHH', 50, 120, 0, 0))
while 'resize 50 120' not in open(logp).read() and time.time() < end:
	time.sleep(0.05)
os.write(m, b'ab\x03q')
rc = p.wait(timeout=10)
after = termios.tcgetattr(s)
log = open(logp).read()
checks = {
	'exit status 5': rc == 5,
	'the size at the start': 'tty 1 rows 40 cols 100' in log,
	'the resize': 'resize 50 120' in log,
	'^C as a byte': 'tty-input 6162037' in log,
	'raw while it ran': not (raw[3] & termios.ICANON) and not (raw[3] & termios.ISIG),
	'the terminal put back': after == before,
}
bad = [k for k, v in checks.items() if not v]
if bad:
	sys.exit('not: %s (exit status %d)' % (', '.join(bad), rc))
EOF
}
ok tty_is_raw_and_put_back with_tty

# ---- jobs, attach, kill ------------------------------------------------------------
ok jobs_lists_them sh -c "'$B/gridctl' -S '$D/fake.sock' -j jobs | jq -e '[.jobs[] | select(.job == \"abcd0001000000000000000000000000\")][0] | .provider == \"pi\" and .state == \"ended\" and .exit_code == 0 and .lease_id == 17 and .out_off == 4 and .argv == [\"argv\", \"old\", \"job\"]'"
ok job_list_is_jobs sh -c "test \"\$('$B/gridctl' -S '$D/fake.sock' -j job list | jq -c '.jobs | length')\" = \"\$('$B/gridctl' -S '$D/fake.sock' -j jobs | jq -c '.jobs | length')\""
ok jobs_text_has_a_line_each sh -c "'$B/gridctl' -S '$D/fake.sock' jobs | grep -q '^abcd0002000000000000000000000000 on pi running lease 17 since '"
ok an_ambiguous_prefix_is_refused refused 1 "the ids of 2 jobs start with abcd" F job kill abcd
ok an_unknown_prefix_is_refused refused 1 "no job ffff" F job kill ffff
ok kill_by_prefix_and_name F job kill abcd0002 TERM
ok the_signal_was_sent logged "^signal abcd0002000000000000000000000000 15$"
ok attach_goes_on_from_the_delivered_offset sh -c "test \"\$('$B/gridctl' -S '$D/fake.sock' job attach abcd0001 </dev/null | tr '\\0' '|')\" = '|old|job'"
ok attach_sends_done logged "^done abcd0001000000000000000000000000"
ok attach_exits_with_its_status exits 143 Fq job attach abcd0002
ok attach_t_to_a_pipe_job_is_refused refused 255 "job abcd0002000000000000000000000000 has no terminal (it was run without -t): attach without -t" F job attach abcd0002 -t

# Attached from a terminal: a job run with -t gets raw mode and our size
# without -t; a pipe job neither (a size would end its init's connection).
attach_in_a_pty() {
	"$PY" - "$B/gridctl" "$D/fake.sock" "$D/fake.log" "$1" <<'EOF'
import fcntl, os, struct, subprocess, sys, termios, time
gridctl, sock, logp, which = sys.argv[1:5]
m, s = os.openpty()
fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack('HHHH', 30, 90, 0, 0))
before = termios.tcgetattr(s)
def child():
	os.setsid()
	fcntl.ioctl(0, termios.TIOCSCTTY, 0)
def attach(*words):
	return subprocess.Popen([gridctl, '-S', sock, 'job', 'attach'] + list(words),
				stdin=s, stdout=s, stderr=s, preexec_fn=child)
if which == 'pipe':
	rc = [attach('abcd0002', '-t').wait(timeout=10), attach('abcd0002').wait(timeout=10)]
	log = open(logp).read()
	checks = {
		'-t refused (255)': rc[0] == 255,
		'attached without (143)': rc[1] == 143,
		'no size sent': 'resize-of-a-pipe-job' not in log,
		'the terminal as it was': termios.tcgetattr(s) == before,
	}
else:
	p = attach('abce0003')
	got = b''
	end = time.time() + 10
	while b'ready' not in got and time.time() < end:
		got += os.read(m, 1024)
	while 'resize 30 90 abce0003' not in open(logp).read() and time.time() < end:
		time.sleep(0.05)
	raw = termios.tcgetattr(s)
	os.write(m, b'q')
	rc = p.wait(timeout=10)
	checks = {
		'exit status 5': rc == 5,
		'our size sent': 'resize 30 90 abce0003' in open(logp).read(),
		'raw while attached': not (raw[3] & termios.ICANON),
		'the terminal put back': termios.tcgetattr(s) == before,
	}
bad = [k for k, v in checks.items() if not v]
if bad:
	sys.exit('not: %s' % ', '.join(bad))
EOF
}
ok a_pipe_job_attached_from_a_terminal_gets_no_size attach_in_a_pty pipe
ok a_tty_job_is_attached_as_one_without_t attach_in_a_pty tty

# A provider's words (its name, its reason) are shown cleaned: no escape
# sequence reaches our terminal, and no line of its own making.
said_cleanly() {
	local want=$1 err
	shift
	err=$("$@" 2>&1 >/dev/null </dev/null)
	[[ $err == "$want" ]] || { echo "said: $(printf %q "$err")" >&2; return 1; }
}
ok a_providers_reason_is_cleaned said_cleanly "gridctl: evil?[31m: the job was killed: killed?]0;owned??[2J?gridctl: all is well?" F job attach abcf0004
ok a_providers_refusal_is_cleaned said_cleanly "gridctl: run: evil refused the job: ?]0;owned??[2J?gridctl: all is well?" F run on evil -- true
jobs_text_is_cleaned() {
	local out
	out=$(F jobs) || return 1
	[[ $out == *$'\nabcf0004000000000000000000000000 on evil?[31m ended killed by SIGKILL (killed?]0;owned??[2J?gridctl: all is well?) '* ]] &&
		[[ $out != *[$'\e\a\r']* ]] || { echo "listed: $(printf %q "$out")" >&2; return 1; }
}
ok jobs_text_is_cleaned jobs_text_is_cleaned
ok jobs_json_keeps_the_words_as_said sh -c "'$B/gridctl' -S '$D/fake.sock' -j jobs | jq -e '[.jobs[] | select(.job | startswith(\"abcf0004\"))][0] | (.reason | contains(\"\\u001b]0;owned\\u0007\")) and .provider == \"evil\\u001b[31m\" and .tty == false'"
ok jobs_json_says_which_have_a_terminal sh -c "'$B/gridctl' -S '$D/fake.sock' -j jobs | jq -e '[.jobs[] | select(.job | startswith(\"abce0003\"))][0].tty == true'"

kill "${pids[@]}" 2>/dev/null
wait 2>/dev/null
pids=()
exit $((failures > 0))
