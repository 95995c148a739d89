#!/usr/bin/env python3
"""gap.py ANSWERS [EVENT_NS...]: for each event time, the gap (ms) from the event to the first
answer after it; with no event, every inter-arrival gap above 3 intervals. Prints one number a line."""
import bisect, sys
answers = sorted(int(l) for l in open(sys.argv[1]) if l.strip())
for e in (int(x) for x in sys.argv[2:]):
    i = bisect.bisect_right(answers, e)
    print("%.1f" % ((answers[i] - e) / 1e6) if i < len(answers) else "inf")
