#!/usr/bin/env python3
"""A transparent pty relay for scripts/check-terminal-images.sh.

    pty-relay.py --log OUT --timing TIMING --keys FIFO --events EVENTS [--control FIFO] -- CMD ARGS...

Runs CMD on a pseudo-terminal of its own and copies bytes both ways between that pty and
the relay's own terminal (the xterm, or a tmux pane), so CMD sees a real terminal: its
queries reach the terminal and the replies come back. On the way it

  * appends everything CMD writes to OUT (so the check can decode the exact sixel bytes
    the TUI sent) and one line "SECONDS BYTES" per chunk to TIMING (monotonic clock,
    like `script -t` but absolute, so it lines up with EVENTS);
  * forwards whatever is written to the FIFO KEYS as if typed, and logs
    "SECONDS OFFSET key HEX" to EVENTS (also "… pid N" at start and "… exit STATUS") (OFFSET: bytes of OUT written so far), which lets
    the check send keys headless (no xdotool, no synthetic X events) and time how long
    the next image takes to be written.

  * writes whatever is written to the FIFO given with --control to the relay's own
    terminal, as if CMD had written it (not logged): the check resizes xterm this way
    (CSI 8 ; rows ; cols t), and CMD then gets SIGWINCH like after any resize.

The window size (cells and pixels) is copied to CMD's pty at start and on SIGWINCH.
Exits with CMD's exit status.
"""
import argparse
import errno
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
import tty


def copy_winsize(src_fd, dst_fd):
    try:
        size = fcntl.ioctl(src_fd, termios.TIOCGWINSZ, b"\0" * 8)
        fcntl.ioctl(dst_fd, termios.TIOCSWINSZ, size)
    except OSError:
        pass


def write_all(fd, data):
    while data:
        try:
            n = os.write(fd, data)
        except OSError as e:
            if e.errno in (errno.EINTR, errno.EAGAIN):
                continue
            raise
        data = data[n:]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--timing", required=True)
    parser.add_argument("--keys", required=True)
    parser.add_argument("--events", required=True)
    parser.add_argument("--control")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    pid, master = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)

    stdin_is_tty = os.isatty(0)
    if stdin_is_tty:
        copy_winsize(0, master)
        saved = termios.tcgetattr(0)
        tty.setraw(0)
    signal.signal(signal.SIGWINCH, lambda *_: copy_winsize(0, master) if stdin_is_tty else None)

    # O_RDWR so the FIFO never reports end-of-file when a writer closes it.
    keys = os.open(args.keys, os.O_RDWR | os.O_NONBLOCK)
    control = os.open(args.control, os.O_RDWR | os.O_NONBLOCK) if args.control else None
    log = open(args.log, "ab", buffering=0)
    timing = open(args.timing, "a", buffering=1)
    events = open(args.events, "a", buffering=1)
    # The child's pid, so the check can watch it (CPU idle = prefetching done).
    events.write(f"{time.monotonic():.6f} 0 pid {pid}\n")
    written = 0
    status = 1
    try:
        while True:
            try:
                ready, _, _ = select.select([0, master, keys] + ([control] if control is not None else []), [], [])
            except InterruptedError:
                continue
            if master in ready:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    data = b""
                if not data:
                    break
                now = time.monotonic()
                log.write(data)
                written += len(data)
                timing.write(f"{now:.6f} {len(data)}\n")
                write_all(1, data)
            if keys in ready:
                data = os.read(keys, 1024)
                if data:
                    events.write(f"{time.monotonic():.6f} {written} key {data.hex()}\n")
                    write_all(master, data)
            if control is not None and control in ready:
                data = os.read(control, 1024)
                if data:
                    events.write(f"{time.monotonic():.6f} {written} control {data.hex()}\n")
                    write_all(1, data)
            if 0 in ready:
                data = os.read(0, 1024)
                if not data:
                    break
                write_all(master, data)
    finally:
        if stdin_is_tty:
            termios.tcsetattr(0, termios.TCSADRAIN, saved)
        try:
            _, raw = os.waitpid(pid, 0)
            status = os.waitstatus_to_exitcode(raw)
        except ChildProcessError:
            pass
        events.write(f"{time.monotonic():.6f} {written} exit {status}\n")
    sys.exit(status if status >= 0 else 128 - status)


if __name__ == "__main__":
    main()
