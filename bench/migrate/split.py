#!/usr/bin/env python3
"""split.py ANSWERS DEATH_NS EVENTS: where a takeover's outage went, on one line: from the death to
the backup's takeover.address.acquired (stamped before it adds the address), and from that to the
first answer after it (adding the address, the gratuitous ARP, the client's next probe). Exits 0
when the backup acquired before the death (the master had fenced itself: no takeover measured), 1
otherwise."""
import json, sys
answers = sorted(int(l) for l in open(sys.argv[1]) if l.strip())
died = int(sys.argv[2])
acquired = [json.loads(l)["time"] for l in open(sys.argv[3]) if '"takeover.address.acquired"' in l]
if not acquired:
    print("takeover: the backup printed no acquisition")
    sys.exit(1)
at = acquired[-1] * 1_000_000
if at < died:
    print("takeover: void, the backup acquired %.0f ms before the death (the master had fenced itself)" % ((died - at) / 1e6))
    sys.exit(0)
first = next((a for a in answers if a > at), None)
print("takeover: acquired %.0f ms after the death, answered %s ms after that"
      % ((at - died) / 1e6, "%.1f" % ((first - at) / 1e6) if first else "never"))
sys.exit(1)
