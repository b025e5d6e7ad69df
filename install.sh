#!/usr/bin/env bash
# Set up the Python environment for Alpha-Refine.
#
#   bash install.sh                      -> a local .venv (pip), the default
#   bash install.sh CONDA_PATH ENV_NAME  -> a conda environment (the upstream form)
#
# Both forms install torch 2.14.1 + torchvision 0.29.1, the project's dependencies with the test,
# onnx and vot extras (the VOT toolkit and TraX: doc/vot2020.md), and the project itself in editable
# mode (pip install -e .), so ltr, pytracking, pysot and RT_MDNet import from any folder.
set -euo pipefail
cd "$(dirname "$0")"

TORCH_PKGS="torch==2.14.1 torchvision==0.29.1"

if [ "$#" -ge 2 ]; then
    conda_path="$1"
    env_name="$2"
    if [ ! -f "$conda_path/etc/profile.d/conda.sh" ]; then
        echo "install.sh: no conda at '$conda_path' (expected $conda_path/etc/profile.d/conda.sh)" >&2
        exit 1
    fi
    # shellcheck disable=SC1091
    source "$conda_path/etc/profile.d/conda.sh"
    if ! conda env list | awk '{print $1}' | grep -qx "$env_name"; then
        echo "****************** Creating conda environment $env_name (python 3.11) ******************"
        conda create -y --name "$env_name" python=3.11
    fi
    conda activate "$env_name"
    PY=python
elif [ "$#" -eq 1 ]; then
    echo "usage: bash install.sh [CONDA_PATH ENV_NAME]" >&2
    exit 2
else
    if [ ! -x .venv/bin/python ]; then
        echo "****************** Creating .venv ******************"
        python3 -m venv .venv
    fi
    PY=.venv/bin/python
fi

echo "****************** Installing torch and torchvision ******************"
$PY -m pip install -q $TORCH_PKGS
echo "****************** Installing Alpha-Refine and its dependencies ******************"
$PY -m pip install -q -e ".[test,onnx,vot]"

# jpeg4py needs the system library libturbojpeg; without it the image loader uses OpenCV.
if ! ldconfig -p 2>/dev/null | grep -q libturbojpeg; then
    echo "note: libturbojpeg not found; images are decoded with OpenCV (apt-get install libturbojpeg to use jpeg4py)"
fi
echo "****************** Installation complete ******************"
