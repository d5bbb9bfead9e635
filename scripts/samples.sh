#!/usr/bin/env bash
# Set-up command 1: install into .venv and render every bundled sample (PDF + PNG) into samples/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh
.venv/bin/docgen samples --out samples/out
