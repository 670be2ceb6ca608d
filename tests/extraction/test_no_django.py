import subprocess
import sys


def test_importing_the_engine_does_not_import_django():
    code = "import sys, tensions.extraction; print('django' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
