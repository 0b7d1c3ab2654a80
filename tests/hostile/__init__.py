"""Hostile input: an edition received from anyone can read no local file, fetch nothing from the
network and put no script into an edition; editions change together or not at all.

Each case starts from a tiny good edition (tests/editions_factory.py) or a copy of
tests/editions/example, breaks one thing, and builds. A refused build exits 1 with a coded message
(file, line, hint), no traceback, and leaves OUT exactly as it was. Remote URLs point at a listener
on 127.0.0.1 that records every connection: none may ever arrive.
"""
