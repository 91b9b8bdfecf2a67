// Postgres outlives the process that started it unless told otherwise: its backends notice a dead
// postmaster, but the postmaster never notices a dead idplane. So postgres is started under a tiny
// POSIX shell (a few hundred KB, not a second Node) that holds the read end of a pipe whose only write
// end is idplane's. However idplane ends (stop(), SIGTERM, SIGINT, kill -9, a crash), the kernel
// closes that end, `read` returns, and the shell sends the postmaster SIGINT (Postgres's fast
// shutdown: open transactions roll back, the cluster is left consistent). The shell exits with
// postgres's own status, so idplane also learns when postgres dies by itself.
//
// Windows has no /bin/sh: there postgres runs directly and is not watched (see docs/embedded.md).
export const WATCHDOG_SCRIPT = [
  "exec 3<&0",
  // postgres gets neither the pipe (3<&-) nor a terminal: only the shell and its reader hold the pipe.
  '"$@" </dev/null 3<&- &',
  "pm=$!",
  '( while read -r _ <&3; do :; done; kill -INT "$pm" 2>/dev/null ) </dev/null &',
  "rd=$!",
  "exec 3<&-",
  'wait "$pm"',
  "st=$?",
  'kill "$rd" 2>/dev/null',
  'exit "$st"',
].join("\n");

export const canWatch = () => process.platform !== "win32";
