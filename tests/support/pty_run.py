"""Runs a command in a real pseudo-terminal, as a person at a terminal would.

Usage: /usr/bin/python3 pty_run.py CWD CMD [ARGS...]

The command becomes the foreground process group of a new pty (the child of
pty.fork() is a session leader with the pty as its controlling terminal), so
a Ctrl+C typed on it is turned by the terminal line discipline into SIGINT for
the whole group, exactly as in a terminal: `deno task` and the script it runs
both get it.

Everything the command writes to the terminal is copied to stdout as it
comes. Each line read on stdin is a key to type: "ctrl-c" writes 0x03 to the
pty. When the command exits, a last line "@@pty-exit CODE" is printed (CODE as
a shell shows it: 128 + N for a death by signal N).
"""
import os
import pty
import select
import sys
import time


def main() -> int:
    cwd, cmd = sys.argv[1], sys.argv[2:]
    pid, master = pty.fork()
    if pid == 0:
        os.chdir(cwd)
        os.execvp(cmd[0], cmd)
    out = sys.stdout.buffer
    stdin = sys.stdin.fileno()
    watching = [master, stdin]
    pending = b""
    status = None
    drain_until = None
    while master in watching:
        if status is None:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = st
                # A process the command left behind may hold the pty open:
                # read what is left for a moment, then stop anyway.
                drain_until = time.monotonic() + 1.0
        elif time.monotonic() > drain_until:
            break
        ready, _, _ = select.select(watching, [], [], 0.05)
        if master in ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every process holding the pty is gone
                data = b""
            if data:
                out.write(data)
                out.flush()
            else:
                watching.remove(master)
        if stdin in ready:
            data = os.read(stdin, 1024)
            if not data:
                watching.remove(stdin)
            pending += data
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                if line.strip() == b"ctrl-c":
                    os.write(master, b"\x03")
    if status is None:
        _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    out.write(b"\n@@pty-exit %d\n" % (code if code >= 0 else 128 - code))
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
