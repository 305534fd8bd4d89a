"""SMTP sinks for careline-bench (docs/BENCHMARKS.md, "Outbound email"): aiosmtpd handlers
that accept every message and append its Message-ID to a log, one line per message received,
so that a benchmark can count what arrived and find any message received twice.

    PYTHONPATH=tests/clients SMTP_LOG=/tmp/sink.log \
        tests/clients/.venv/bin/python -m aiosmtpd -n -l 127.0.0.1:2525 -c bench_smtp.Count
    ... -c bench_smtp.Slow    # the same, answering each message after 5 s (SMTP_DELAY)

The log is opened for appending, so a sink restarted on the same log keeps counting.
"""

import asyncio
import os
import re

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class Count:
    """Accepts every message at once and logs its Message-ID."""

    def __init__(self):
        path = os.environ.get("SMTP_LOG")
        self.log = open(path, "ab", buffering=0) if path else None
        self.received = 0

    def record(self, envelope):
        self.received += 1
        if self.log is not None:
            content = envelope.original_content or b""
            found = _MESSAGE_ID.search(content)
            message_id = found.group(1) if found else b"-"
            # One write per message: a line is whole or absent if the sink is killed.
            self.log.write(message_id + b"\n")

    async def handle_DATA(self, server, session, envelope):
        self.record(envelope)
        return "250 OK"


class Slow(Count):
    """Takes SMTP_DELAY seconds (default 5) to answer each message: a slow mail server."""

    def __init__(self):
        super().__init__()
        self.delay = float(os.environ.get("SMTP_DELAY", "5"))

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        self.record(envelope)
        return "250 OK"
