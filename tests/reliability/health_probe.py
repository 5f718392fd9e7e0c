"""Health probe run as its own process (so a loaded test process's GIL does
not delay it): checks grpc.health.v1 on each ADDRESS every 0.5 s for SECONDS,
each on a fresh connection with a DEADLINE, and prints one JSON line:
{"checks": N, "failures": [[address, status], ...], "worst_seconds": {address: s}}.

  health_probe.py SECONDS DEADLINE ADDRESS...
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reliability_common as rc  # noqa: E402


def main():
    seconds, deadline = float(sys.argv[1]), float(sys.argv[2])
    addresses = sys.argv[3:]
    worst = {a: 0.0 for a in addresses}
    failures = []
    checks = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for address in addresses:
            started = time.monotonic()
            status = rc.health_status(address, timeout=deadline)
            worst[address] = max(worst[address], time.monotonic() - started)
            checks += 1
            if status != "SERVING":
                failures.append([address, status])
        time.sleep(0.5)
    print(json.dumps({"checks": checks, "failures": failures, "worst_seconds": worst}))


if __name__ == "__main__":
    main()
