#!/usr/bin/env python3
"""gap.py ANSWERS [EVENT_NS...]: for each event time, the client's outage (ms): the longest silence
between two consecutive answers, the later one after the event (answers still in flight from the
dying master do not end it, as "the first answer after the event" would). Prints one number a line."""
import sys
answers = sorted(int(l) for l in open(sys.argv[1]) if l.strip())
for e in (int(x) for x in sys.argv[2:]):
    gaps = [b - a for a, b in zip(answers, answers[1:]) if b > e]
    print("%.1f" % (max(gaps) / 1e6) if gaps else "inf")
