# Sourced by the scripts (not run): Ctrl-C and SIGTERM end what the script
# started, print one line, and exit 130 (Ctrl-C) or 143 (SIGTERM).
#
#   . "$(dirname "$0")/interrupt.sh"      then, for each long step:
#   guarded COMMAND [ARGUMENTS...]        (a command or a shell function)
#   spawn COMMAND...; ...; finish "$spawned"   (the same, in the background)
#
# Why each step runs as a job of its own process group (set -m): Ctrl-C at a
# terminal reaches the whole foreground group, and every program in it would
# answer in its own words (pip's "Operation cancelled by user", a Python
# traceback from compileall). In a group of its own, a step hears only the
# SIGTERM the trap below sends it, on which they all end silently. And
# bash defers a trap until a foreground command returns, but not while it
# waits (`wait`) for a job, so the trap runs at once.
#
# Scripts call scripts: only the outermost one prints the line (it exports
# BASTION_DB_INTERRUPT_OWNER); the inner ones end their own steps and exit quietly.

# The steps running now, each the leader of its process group.
_interrupt_jobs=()

_interrupt_stop() {
  # A second Ctrl-C must not cut the clean-up short.
  trap '' INT TERM
  local job
  for job in ${_interrupt_jobs[@]+"${_interrupt_jobs[@]}"}; do
    kill -TERM -- "-$job" 2>/dev/null || true
  done
  for job in ${_interrupt_jobs[@]+"${_interrupt_jobs[@]}"}; do
    wait "$job" 2>/dev/null || true
    _interrupt_wait_group "$job"
  done
  if [ "$BASTION_DB_INTERRUPT_OWNER" = "$$" ]; then
    echo "$(basename "$0" .sh): interrupted ($2); stopped what it had started" >&2
  fi
  exit "$1"
}

# `wait` waits for a step's leader only; the rest of its group (a command
# that a wrapper such as a pyenv shim started, still on its way out) may
# outlive it by a moment. Waits up to 5 s for the group to be gone, then
# ends what is left of it.
_interrupt_wait_group() {
  local tries=0
  while _interrupt_group_running "$1"; do
    if [ "$tries" -ge 50 ]; then
      kill -KILL -- "-$1" 2>/dev/null || true
      return
    fi
    sleep 0.1
    tries=$((tries + 1))
  done
}

# Whether a member of process group $1 still runs. A member that has exited
# but waits for init to collect it (a zombie) does not count: signal 0 still
# reaches it, so without /proc that is all there is to go by.
_interrupt_group_running() {
  [ -d /proc/self ] || { kill -0 -- "-$1" 2>/dev/null; return; }
  local file line state pgrp
  for file in /proc/[0-9]*/stat; do
    { read -r line <"$file"; } 2>/dev/null || continue
    # "pid (name) state ppid pgrp ...": the name may hold spaces and ")".
    line=${line##*) }
    read -r state _ pgrp _ <<<"$line"
    if [ "$pgrp" = "$1" ] && [ "$state" != Z ]; then
      return 0
    fi
  done
  return 1
}

export BASTION_DB_INTERRUPT_OWNER="${BASTION_DB_INTERRUPT_OWNER:-$$}"
trap '_interrupt_stop 130 Ctrl-C' INT
trap '_interrupt_stop 143 SIGTERM' TERM

# Starts a step in the background, in a process group of its own; its pid
# (and group) in $spawned. `finish PID` waits for it and returns its code.
spawn() {
  set -m
  "$@" &
  spawned=$!
  set +m
  _interrupt_jobs+=("$spawned")
}

finish() {
  local code=0 job kept=()
  wait "$1" || code=$?
  for job in ${_interrupt_jobs[@]+"${_interrupt_jobs[@]}"}; do
    if [ "$job" != "$1" ]; then kept+=("$job"); fi
  done
  _interrupt_jobs=(${kept[@]+"${kept[@]}"})
  return "$code"
}

# A step in the foreground, as far as the user can tell.
guarded() {
  spawn "$@"
  finish "$spawned"
}
