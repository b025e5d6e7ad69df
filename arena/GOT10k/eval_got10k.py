"""Run a named tracker on GOT-10k and evaluate it (upstream's script name): ``python arena/GOT10k/eval_got10k.py
--tracker DiMPsuper_RF|DiMP50_RF|ATOM_RF|ECO_RF|SiamRPNpp_RF|RTMDNet_RF|KCF_RF [--rf_code a] [--overwrite] ...``.

A name without ``_RF`` runs the base tracker alone. Thin script over ``arena/runner.py`` (doc/arena.md).
"""
import sys

import common_path  # the script's folder comes first on sys.path

from arena.runner import main_named

if __name__ == '__main__':
    sys.exit(main_named(sys.argv[1:], 'GOT10k', common_path, layout='got10k'))
