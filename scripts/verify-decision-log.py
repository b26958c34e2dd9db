#!/usr/bin/env python3
"""Checks a Winnow project's decision log hash chain without Winnow (Python standard library only).

    scripts/verify-decision-log.py DATASET/.winnow/winnow.sqlite [HEAD_HASH]
    scripts/verify-decision-log.py postgresql://USER@HOST/DATABASE [HEAD_HASH]

A PostgreSQL project's log is read with psql (the password from ~/.pgpass or $PGPASSWORD,
as for Winnow; $PSQL names another psql). An independent reading of the canonical bytes documented in
Sources/WinnowStore/DecisionLogChain.swift. Prints the number of events and the head, and
exits 0; exits 5 at the first broken link, or when HEAD_HASH is not in the chain.
"""
import hashlib
import json
import os
import sqlite3
import subprocess
import sys

FIELDS = ["id", "item_id", "item_path", "reviewer", "action", "old_labels", "new_labels",
          "queue", "reason", "note", "undoes", "created_at", "score", "flags"]
QUERY = ("SELECT e.id, e.item_id, i.path, e.reviewer, e.action, e.old_labels, e.new_labels, e.queue, "
         "e.reason, e.note, e.undoes, e.created_at, e.score, e.flags, e.hash "
         "FROM events e LEFT JOIN items i ON i.id = e.item_id ORDER BY e.id")


def field(value):
    """`-` for NULL, else `<byte length>:<bytes>` (integers in decimal, reals as %.17g)."""
    if value is None:
        return b"-"
    if isinstance(value, int):
        value = str(value).encode()
    elif isinstance(value, float):
        value = ("%.17g" % value).encode()
    return str(len(value)).encode() + b":" + value


def sqlite_rows(path):
    database = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    database.text_factory = bytes  # hash the stored bytes, whatever they are
    return database.execute(QUERY)


def postgres_rows(url):
    """The same rows from PostgreSQL, one JSON array per line (JSON keeps NULL apart from
    empty text, and PostgreSQL writes a double's shortest exact digits, which float() reads
    back to the same value); text as its UTF-8 bytes, as SQLite hands them over."""
    columns = QUERY[len("SELECT "):QUERY.index(" FROM")]
    sql = "SELECT json_build_array(%s)::text %s" % (columns, QUERY[QUERY.index("FROM"):])
    psql = os.environ.get("PSQL", "psql")
    try:
        output = subprocess.run([psql, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                                check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError:
        sys.exit("cannot run %s: install PostgreSQL's client (apt-get install postgresql-client)" % psql)
    except subprocess.CalledProcessError as error:
        sys.exit("psql could not read the log: %s" % error.stderr.decode(errors="replace").strip())
    for line in output.stdout.decode("utf-8").splitlines():
        yield [value.encode() if isinstance(value, str) else value for value in json.loads(line)]


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    source = sys.argv[1]
    is_postgres = source.startswith("postgresql://") or source.startswith("postgres://")
    rows = postgres_rows(source) if is_postgres else sqlite_rows(source)
    recorded = sys.argv[2].lower() if len(sys.argv) == 3 else None
    previous, last_id, count, found = "0" * 64, 0, 0, False
    for row in rows:
        canonical = b"winnow-event-v1\nprevious=64:" + previous.encode() + b"\n"
        canonical += b"".join(name.encode() + b"=" + field(value) + b"\n" for name, value in zip(FIELDS, row[:14]))
        stored = row[14].decode() if row[14] is not None else None
        if row[0] != last_id + 1:
            print("broken at event %d: events %d-%d are missing" % (row[0], last_id + 1, row[0] - 1))
            sys.exit(5)
        if hashlib.sha256(canonical).hexdigest() != stored:
            print("broken at event %d: its contents or hash do not match the chain" % row[0])
            sys.exit(5)
        previous, last_id, count = stored, row[0], count + 1
        found = found or (recorded is not None and len(recorded) >= 12 and stored.startswith(recorded))
    print("decision log intact: %d events, head %s (event #%d)" % (count, previous, last_id))
    if recorded is not None and not found:
        print("the recorded head %s is not in the log" % recorded)
        sys.exit(5)


if __name__ == "__main__":
    main()
