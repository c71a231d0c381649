# Test harness, sourced by test/run.  One line per case, like toybox:
#   testcmd "description" "command" "expected output" STATUS ["stdin"]
# The command runs in a subshell in $T (a fresh directory per test file);
# stdout and stderr are compared together with the expected output, in
# which \n and the other printf %b escapes are understood.
#   testsh "description" "shell code"    passes when the code exits 0
#   skip "description" "reason"
# Applets are called by name: each is a function running $EMU $LINKS/NAME.

pass=0 fail=0 skipped=0

_report_fail() { # desc detail-file
	fail=$((fail + 1))
	echo "FAIL: $CASE_FILE: $1"
	[ -n "${2:-}" ] && sed 's/^/    /' "$2" | head -40
}

# Expected output is written with the errno numbers of x86, ARM and RISC-V;
# a MIPS binary prints its own ("errno 89" for ENOSYS, test/run finds it).
_want() {
	if [ "${ENOSYS_ERRNO:-38}" = 38 ]; then
		printf '%b' "$1"
	else
		printf '%b' "$1" | sed "s/(errno 38)/(errno $ENOSYS_ERRNO)/g"
	fi
}

testcmd() {
	desc=$1 cmd=$2 want=$3 wantrc=$4
	printf '%s' "${5:-}" >"$T/.stdin"
	(cd "$T" && eval "$cmd") <"$T/.stdin" >"$T/.out" 2>&1
	rc=$?
	_want "$want" >"$T/.want"
	if [ "$rc" = "$wantrc" ] && cmp -s "$T/.want" "$T/.out"; then
		pass=$((pass + 1))
		[ -n "${VERBOSE:-}" ] && echo "PASS: $desc"
		return 0
	fi
	{
		echo "command: $cmd"
		echo "status: $rc (expected $wantrc)"
		diff -u "$T/.want" "$T/.out" | tail -n +3
	} >"$T/.why"
	_report_fail "$desc" "$T/.why"
	return 1
}

testsh() {
	desc=$1 code=$2
	(cd "$T" && eval "$code") </dev/null >"$T/.out" 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then
		pass=$((pass + 1))
		[ -n "${VERBOSE:-}" ] && echo "PASS: $desc"
		return 0
	fi
	echo "status: $rc" >>"$T/.out"
	_report_fail "$desc" "$T/.out"
	return 1
}

skip() {
	skipped=$((skipped + 1))
	echo "SKIP: $CASE_FILE: $1: $2"
}

# helpers for test code
has_applet() { grep -qx "$1" "$OUT/applets"; }
shmbox() { $EMU "$SHMBOX" "$@"; }
# for "APPLET ... &" and pipelines whose pid matters: $! is the applet itself
bg_applet() { a=$1; shift; exec $EMU "$LINKS/$a" "$@"; }
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
# wait_until SECS CODE: until the shell code succeeds, at most SECS seconds
# (0.02 s steps).  A case waits for the state it needs, never a fixed
# sleep: under load (make test's lanes, qemu-user) that raced.
wait_until() {
	_wu=0
	while ! eval "$2"; do
		_wu=$((_wu + 1)); [ $_wu -lt $(($1 * 50)) ] || return 1; sleep 0.02
	done
}
# kill_child SIGNAL PID...: signal background children of this shell, but
# only those not yet reaped.  The shell reaps a child that ended whenever
# it waits for any other command, and its pid is then soon another
# process's (pid_max is 32768 on many systems): a stale kill hit another
# test run's shell.  Builtins only from the check to the kill: no fork,
# no wait, so nothing is reaped in between.
kill_child() {
	_sig=$1
	shift
	read -r _me _rest </proc/self/stat
	for _p; do
		_st=
		[ -r /proc/$_p/stat ] && { read -r _st </proc/$_p/stat; } 2>/dev/null || continue
		set -- ${_st##*) }	# state, parent pid, ... (comm may hold spaces)
		[ "${2:-}" = "$_me" ] && kill -"$_sig" "$_p"
	done
	return 0
}
