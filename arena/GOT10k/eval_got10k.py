"""Run a named tracker on GOT-10k and evaluate it (upstream's script name): ``python arena/GOT10k/eval_got10k.py
--tracker DiMPsuper_RF|DiMP50_RF|ATOM_RF|ECO_RF|SiamRPNpp_RF|RTMDNet_RF|KCF_RF [--rf_code a] [--overwrite] ...``.

Thin script over the shared runner (``arena/runner.py``, ``doc/arena.md``); a name without ``_RF`` runs the
base tracker alone. Without a configured GOT-10k root it runs on the synthetic benchmark and says so first.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common_path  # noqa: E402  (also puts the repository root on sys.path)

from arena.runner import main_named  # noqa: E402

if __name__ == '__main__':
    sys.exit(main_named(sys.argv[1:], 'GOT10k', common_path, layout='got10k'))
