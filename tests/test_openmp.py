"""llama.cpp's OpenMP threads spin briefly before sleeping, unless the user said otherwise."""

from __future__ import annotations

import os
import subprocess
import sys

from llamadesk.core.openmp import SPIN_COUNT, choose_wait_policy


def test_a_short_spin_is_the_default() -> None:
    environ: dict[str, str] = {}

    choose_wait_policy(environ)

    assert environ == {"GOMP_SPINCOUNT": SPIN_COUNT}


def test_the_users_own_setting_wins() -> None:
    spin = {"GOMP_SPINCOUNT": "50000"}
    passive = {"OMP_WAIT_POLICY": "passive"}

    choose_wait_policy(spin)
    choose_wait_policy(passive)

    assert spin == {"GOMP_SPINCOUNT": "50000"}
    assert passive == {"OMP_WAIT_POLICY": "passive"}


def test_importing_the_app_sets_it_before_llama_cpp_loads() -> None:
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY")
    }
    probe = (
        "import os, sys, llamadesk; print(os.environ['GOMP_SPINCOUNT'], 'llama_cpp' in sys.modules)"
    )

    done = subprocess.run(
        [sys.executable, "-c", probe], env=environ, capture_output=True, text=True, check=True
    )

    assert done.stdout.split() == [SPIN_COUNT, "False"]
