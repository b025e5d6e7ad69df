"""Run a named tracker on OTB-100, UAV123, NfS and TColor-128 and evaluate each (upstream's script name):
``python arena/GOT10k/eval_other.py --tracker DiMPsuper_RF|DiMP50_RF|ATOM_RF|ECO_RF|SiamRPNpp_RF|RTMDNet_RF|KCF_RF
[--rf] [--benchmarks OTB100 UAV123 NFS30 TColor128] [--workers N] ...``.

As upstream, the base tracker runs (``--rf``: with Alpha-Refine). Reports: ``<save_dir>/<Benchmark>/reports/
<tracker_name>/performance.json`` (``collect_reports.py``). Thin script over ``arena/suites.py`` (doc/arena.md).
"""
import sys

import common_path  # the script's folder comes first on sys.path

from arena.suites import main_other

if __name__ == '__main__':
    sys.exit(main_other(sys.argv[1:], common_path))
