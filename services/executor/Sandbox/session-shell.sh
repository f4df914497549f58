#!/usr/bin/env bash
# The persistent shell's driver: run by `bash -c` in each session container, it reads
# commands on stdin and marks the end of each one's output (see ShellCommandRunner).
# Comment lines are left out of what is sent to the container.
#
# bash, for its job control: with `set -m` every command runs as a process group of its own,
# which a timeout or a cancel ends whole. Reads a header (nonce, timeout in seconds, number
# of lines), then the command's lines; runs the command with stdin closed and its stderr on
# fd 3 (the exec's stderr: bash's own job notices go to /dev/null); leaves its pid, which is
# its group's, in the pid file; then marks the end of its output. The command's subshell
# forgets the driver's variables first: with the nonce, a command could print the end marker
# itself, ending its output early with an exit code of its choosing.
#
# The timer is one long-lived process per shell, told each command's group and limit through
# fd 4 (one line, no process started per command). If the command is still running at its
# limit, the timer sends its group TERM, and KILL to whatever is left of the group two
# seconds later, or as soon as the next command comes: a command that ran out of time leaves
# nothing behind (bash retries a failed fork for seconds, so a fork bomb's survivors would
# otherwise hold the PID limit long after). What a command that finished in time left in the
# background lives on, as under coreutils' timeout. The timer uses bash's built-in kill, which
# needs no new process: so it still works when a fork bomb has taken every process the
# container may have, which a kill from outside (a docker exec) cannot. A shell started after
# another went away first ends any command the old one left running.
#
# Job control is on only while the command is started, which puts it in a group of its own,
# and off while the driver waits for it: with it on, a plain `wait` returns as soon as the
# command's group is stopped (`kill -STOP $BASHPID` in the command, say), and the end would
# be marked while the command can still be continued and print, into the next command's
# output; with it off, bash does not ask to hear of stops, so `wait` returns only when the
# command has ended. `wait -f` is not used: in bash 5.2, `wait -f PID` reads the job's record
# after the wait may have freed it, and now and then spins forever at full CPU ("wait_for: No
# record of process"), which left a session's command hanging until its executor stopped.
# A stop that lands in the instant before job control goes off is still seen; the driver then
# waits again, a twentieth of a second apart (a read that times out on a pipe nothing writes
# to, fd 5: no process), while the command's process exists. A command that stays stopped is
# ended by the timer at its limit.
#
# A header whose limit is "-" is no command: the driver itself ends what earlier commands
# left running, and marks the end with how many processes it ended. end_left_running stops
# every process in the container but PID 1, the driver ($$) and its timer, all of them first
# so that a fork bomb cannot replace what is killed, then kills them; again until none is
# left, for at most 64 rounds and 5 s (within the executor's wait for the end mark). A killed
# process may take a moment to go, and is not signalled or counted twice: it is known by its
# pid and its start time, as a fork bomb at the PID limit gets the pids of killed processes
# back at once, and a new process under a known pid must not be passed over. It uses only bash built-ins, as the timer does: it needs no
# new process, so it works when what was left running holds the whole PID limit. Processes
# of another user (a file operation's root exec) refuse the signal and are left alone.
exec 3>&2 2>/dev/null
if read -r stale < /tmp/.berth-running && [ -n "$stale" ]; then kill -KILL -- "-$stale"; fi
: > /tmp/.berth-running
exec 4> >(
  while read -r pid secs; do
    while :; do
      read -r -t "$secs" next nsecs; st=$?
      if ((st == 0)); then pid=$next; secs=$nsecs; continue; fi
      if ((st <= 128)); then exit; fi
      if kill -0 "$pid"; then
        kill -TERM -- "-$pid"
        read -r -t 2 next nsecs; st=$?
        kill -KILL -- "-$pid"
        if ((st == 0)); then pid=$next; secs=$nsecs; continue; fi
        if ((st <= 128)); then exit; fi
      fi
      break
    done
  done)
timer=$!
end_left_running() {
  code=0 killed=' '
  deadline=$((${EPOCHREALTIME/./} + 5000000))
  for ((round = 0; round < 64 && ${EPOCHREALTIME/./} < deadline; round++)); do
    left=() ids=()
    for p in /proc/[1-9]*; do
      p=${p#/proc/}
      if ((p == 1 || p == $$ || p == timer)); then continue; fi
      read -r stat < "/proc/$p/stat" || continue
      read -r -a f <<< "${stat##*) }"
      if [[ ${f[0]} == Z* || $killed == *" $p:${f[19]} "* ]]; then continue; fi
      if kill -STOP "$p"; then left+=("$p") ids+=("$p:${f[19]}"); fi
    done
    if ((${#left[@]} == 0)); then break; fi
    kill -KILL "${left[@]}"
    killed+="${ids[*]} "
    ((code += ${#left[@]}))
  done
}
exec 5<> <(:)
rs=$'\036'
while IFS=' ' read -r nonce secs count; do
  if [[ $secs == - ]]; then
    end_left_running
    printf '%sBERTH:%s:%s%s' "$rs" "$nonce" "$code" "$rs"
    printf '%sBERTH:%s:%s%s' "$rs" "$nonce" "$code" "$rs" >&3
    continue
  fi
  cmd=''
  for ((i = 0; i < count; i++)); do
    IFS= read -r part
    if ((i)); then cmd+=$'\n'; fi
    cmd+=$part
  done
  set -m
  ( exec 3>&- 4>&- 5>&-; unset -v nonce secs count part i pid code stale rs timer round left ids f deadline p stat killed; unset -f end_left_running; eval "$cmd" ) </dev/null 2>&3 &
  pid=$!
  set +m
  echo "$pid" > /tmp/.berth-running
  echo "$pid $secs" >&4
  wait "$pid"
  while kill -0 "$pid"; do read -r -t 0.05 -u 5; wait "$pid"; done
  wait "$pid"
  code=$?
  : > /tmp/.berth-running
  printf '%sBERTH:%s:%s%s' "$rs" "$nonce" "$code" "$rs"
  printf '%sBERTH:%s:%s%s' "$rs" "$nonce" "$code" "$rs" >&3
done
