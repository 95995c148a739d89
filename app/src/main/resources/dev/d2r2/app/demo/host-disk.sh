# The demo's stand-in for a SMART check of s2's host, as a Nagios plugin: the reallocated sectors
# of its disk (what the demo wrote in s2-host.reallocated) as performance data.
n=$(cat "${dir}/s2-host.reallocated" 2>/dev/null || echo 0)
echo "DISK OK - $n sectors reallocated | reallocated=$n"
