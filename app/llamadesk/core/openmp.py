"""How llama.cpp's OpenMP threads wait for each other, chosen before they exist.

llama.cpp's CPU backend is built with OpenMP here (llama-cpp-python's default). Its threads
meet at a barrier after every operation, hundreds of times per token, and GNU OpenMP lets a
thread that arrives first spin for up to GOMP_SPINCOUNT loops (300,000 by default) before it
sleeps. On an idle machine that is what makes small models fast. With other programs on the
cores, a thread whose partner was preempted spins away the partner's time slice at every
barrier: two threads fell to 2-8 tokens/s where one made 17-23 (issue 12, docs/benchmarks.md).
``OMP_WAIT_POLICY=passive`` (never spin) cured that but halved the idle speed of the starter
model. A short spin, 1,000 loops, keeps the idle speed (it catches a partner that is running)
and sleeps soon enough not to collapse.

libgomp reads these variables once, when llama.cpp's library is loaded, so this runs when the
package is imported, before anything imports llama_cpp. A user's own setting wins.
"""

from __future__ import annotations

from collections.abc import MutableMapping

SPIN_COUNT = "1000"


def choose_wait_policy(environ: MutableMapping[str, str]) -> None:
    """Set a short spin before sleeping, unless the user chose a wait policy."""
    if "OMP_WAIT_POLICY" not in environ:
        environ.setdefault("GOMP_SPINCOUNT", SPIN_COUNT)
