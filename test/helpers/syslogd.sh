# Private syslog receivers for the forwarding tests, sourced by a .test
# file.  They never touch the machine's logging: each listens on
# 127.0.0.1 at a free port or on a socket path inside its own directory,
# and writes what it receives to a file there.
#
#   rsys_start DIR [relp] [tcp] [udp] [uxsock]
#       rsyslogd -n with imrelp / imtcp / imudp on 127.0.0.1, imuxsock on
#       DIR/rs.sock; writes DIR/rs.out, one line a message:
#         %syslogtag%|%pri-text%|%timereported:::date-rfc3339%|%msg%
#       Ports: $RSYS_RELP, $RSYS_TCP, $RSYS_UDP when set (a restart keeps them),
#       else free ones, set in those variables.  RSYS_PID: its pid.
#       Returns 1 when it does not listen within 15 s.
#   rsys_stop [SIG]          stop it (TERM by default) and wait for it
#   bbsys_start DIR [ARGS]   BusyBox syslogd -n -O DIR/bb.out [ARGS] on the
#       socket DIR/log.sock: busybox syslogd binds only /dev/log, so it
#       runs in a mount namespace of its own (unshare -m) whose /dev is a
#       tmpfs holding a symbolic link log -> DIR/log.sock, which busybox
#       follows.  BBSYS_PID: its pid.  Returns 1 when it cannot.
#   bbsys_stop               stop it and wait for it
#   free_port                a TCP port nobody listens on now

free_port() {
	while :; do
		_p=$(( (($$ * 7919 + $(date +%N | sed 's/^0*//;s/^$/0/')) % 30000) + 20000 ))
		_h=$(printf '%04X' "$_p")
		cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -q ":$_h " || break
	done
	echo "$_p"
}

# _listens PID PORT: PID has a listening TCP socket on PORT
_listens() {
	_h=$(printf '%04X' "$2")
	for _ino in $(awk -v h=":$_h" '$4 == "0A" && substr($2, length($2) - 4) == h { print $10 }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null); do
		ls -l "/proc/$1/fd" 2>/dev/null | grep -q "socket:\[$_ino\]" && return 0
	done
	return 1
}

rsys_start() {
	RSYS_DIR=$1
	shift
	_relp= _tcp= _ux= _udp=
	for _w; do
		case $_w in
		relp) _relp=1 ;;
		tcp) _tcp=1 ;;
		udp) _udp=1 ;;
		uxsock) _ux=1 ;;
		esac
	done
	mkdir -p "$RSYS_DIR/work"
	_try=0
	while [ $_try -lt 3 ]; do
		_try=$((_try + 1))
		[ -n "$_relp" ] && [ -z "${RSYS_RELP:-}" ] && RSYS_RELP=$(free_port)
		[ -n "$_tcp" ] && [ -z "${RSYS_TCP:-}" ] && RSYS_TCP=$(free_port)
		[ -n "$_udp" ] && [ -z "${RSYS_UDP:-}" ] && RSYS_UDP=$(free_port)
		{
			echo "global(workDirectory=\"$RSYS_DIR/work\" maxMessageSize=\"1m\")"
			# what it acknowledged is in the file: no queue in memory that a
			# SIGKILL would lose
			echo 'main_queue(queue.type="Direct")'
			[ -n "$_relp" ] && echo 'module(load="imrelp")' &&
				echo "input(type=\"imrelp\" port=\"$RSYS_RELP\" address=\"127.0.0.1\" maxDataSize=\"1m\")"
			[ -n "$_tcp" ] && echo 'module(load="imtcp")' &&
				echo "input(type=\"imtcp\" port=\"$RSYS_TCP\" address=\"127.0.0.1\")"
			[ -n "$_udp" ] && echo 'module(load="imudp")' &&
				echo "input(type=\"imudp\" port=\"$RSYS_UDP\" address=\"127.0.0.1\")"
			[ -n "$_ux" ] && echo 'module(load="imuxsock" SysSock.Use="off")' &&
				echo "input(type=\"imuxsock\" Socket=\"$RSYS_DIR/rs.sock\" ignoreTimestamp=\"off\")"
			echo 'template(name="fwdtest" type="string" string="%syslogtag%|%pri-text%|%timereported:::date-rfc3339%|%msg%\n")'
			echo "*.* action(type=\"omfile\" file=\"$RSYS_DIR/rs.out\" template=\"fwdtest\")"
		} >"$RSYS_DIR/rsyslog.conf"
		rm -f "$RSYS_DIR/rs.pid"
		rsyslogd -n -f "$RSYS_DIR/rsyslog.conf" -i "$RSYS_DIR/rs.pid" \
			>>"$RSYS_DIR/rsyslogd.log" 2>&1 &
		RSYS_PID=$!
		_n=0
		while [ $_n -lt 150 ]; do
			_ok=1
			[ -n "$_relp" ] && ! _listens "$RSYS_PID" "$RSYS_RELP" && _ok=
			[ -n "$_tcp" ] && ! _listens "$RSYS_PID" "$RSYS_TCP" && _ok=
			[ -n "$_ux" ] && [ ! -S "$RSYS_DIR/rs.sock" ] && _ok=
			[ -n "$_udp" ] && ! grep -qi ":$(printf '%04X' "$RSYS_UDP") " /proc/net/udp && _ok=
			[ -n "$_ok" ] && return 0
			kill -0 "$RSYS_PID" 2>/dev/null || break
			sleep 0.1
			_n=$((_n + 1))
		done
		rsys_stop KILL
		# a port taken meanwhile: another one (unless the caller fixed it)
		echo "rsys_start: rsyslogd did not listen (try $_try): $(tail -3 "$RSYS_DIR/rsyslogd.log")" >&2
	done
	return 1
}

rsys_stop() {
	[ -n "${RSYS_PID:-}" ] || return 0
	kill_child "${1:-TERM}" "$RSYS_PID"
	wait "$RSYS_PID" 2>/dev/null
	RSYS_PID=
	return 0
}

bbsys_start() {
	BBSYS_DIR=$1
	shift
	mkdir -p "$BBSYS_DIR/dev"
	rm -f "$BBSYS_DIR/log.sock"
	unshare -m sh -c '
		d=$1
		mount --make-rprivate / &&
		mount -t tmpfs shmbox-test "$d/dev" &&
		: >"$d/dev/null" && mount --bind /dev/null "$d/dev/null" &&
		ln -s "$d/log.sock" "$d/dev/log" &&
		mount --bind "$d/dev" /dev &&
		shift
		exec busybox syslogd -n -O "$d/bb.out" "$@"' sh "$BBSYS_DIR" "$@" \
		>>"$BBSYS_DIR/syslogd.log" 2>&1 &
	BBSYS_PID=$!
	_n=0
	while [ $_n -lt 100 ]; do
		[ -S "$BBSYS_DIR/log.sock" ] && return 0
		kill -0 "$BBSYS_PID" 2>/dev/null || break
		sleep 0.1
		_n=$((_n + 1))
	done
	bbsys_stop
	return 1
}

bbsys_stop() {
	[ -n "${BBSYS_PID:-}" ] || return 0
	kill_child TERM "$BBSYS_PID"
	wait "$BBSYS_PID" 2>/dev/null
	BBSYS_PID=
	return 0
}
