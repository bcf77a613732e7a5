"""scripts/find-python: the Python that `make` builds the virtualenv with."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from tests.conftest import ROOT

SCRIPT = ROOT / "scripts" / "find-python"
# Stands in for a Python 3.11: answers the version question, fails the ">= 3.12" check.
OLD_PYTHON = """#!/bin/sh
case "$2" in *version.split*) echo 3.11.9 ;; *) exit 1 ;; esac
"""


class FindPythonTests(SimpleTestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = Path(tmp.name)

    def run_script(self, python: str):
        env = {**os.environ, "PYTHON": python}
        return subprocess.run(["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)

    def test_it_prints_the_python_it_is_given(self):
        result = self.run_script(sys.executable)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(Path(result.stdout.strip()).resolve(), Path(sys.executable).resolve())

    def test_it_refuses_a_python_that_is_too_old_instead_of_picking_another(self):
        old = self.tmp / "python3.11"
        old.write_text(OLD_PYTHON)
        old.chmod(0o755)
        result = self.run_script(str(old))
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout, "")
        self.assertIn(f"PYTHON={old} is Python 3.11.9; Arrow needs Python 3.12 or newer", result.stderr)

    def test_it_refuses_a_python_that_does_not_exist(self):
        missing = self.tmp / "no-such-python"
        result = self.run_script(str(missing))
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout, "")
        self.assertIn(f"PYTHON={missing} does not run as a Python interpreter.", result.stderr)
