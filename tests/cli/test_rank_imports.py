"""`licvisit rank` imports only what ranking needs (start-up time counts at 2 M calls too).

Measured with ``python -X importtime``: folium, OR-Tools, matplotlib, esda/libpysal
and scikit-learn together add seconds of start-up and hundreds of MB; the rank
command uses none of them, so they must stay behind the commands that do.
"""

import json
import os
import subprocess
import sys

from tests.paths import REPO_ROOT, TEST_DATA

REPO = REPO_ROOT
DATA = TEST_DATA / "risk"
HEAVY = ("folium", "branca", "ortools", "matplotlib", "esda", "libpysal", "sklearn", "jinja2", "weasyprint")

SCRIPT = """
import json, sys
from click.testing import CliRunner
from licvisit.cli import main
res = CliRunner().invoke(main, ["rank", "--calls", sys.argv[1], "--premises", sys.argv[2], "--out", sys.argv[3],
                                "--top", "0"])
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[4].split(",")))
print(json.dumps({"exit_code": res.exit_code, "heavy": heavy}))
"""


def test_rank_imports_no_map_solver_chart_or_spatial_statistics_library(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = [str(DATA / "calls.csv"), str(DATA / "premises.csv"), str(tmp_path / "out"), ",".join(HEAVY)]
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args], capture_output=True, text=True, env=env, cwd=REPO, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"exit_code": 0, "heavy": []}
