# syntax=docker/dockerfile:1.7
# Build stage: resolve the locked dependencies and build the project into /app/.venv.
FROM python:3.11-slim-bookworm AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PROJECT_ENVIRONMENT=/app/.venv \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /src
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY README.md hatch_build.py ./
COPY src ./src
COPY migrations ./migrations
RUN uv sync --frozen --no-dev --no-editable

# Runtime stage: the virtual environment only; no compiler, no uv, no sources.
FROM python:3.11-slim-bookworm AS runtime
RUN groupadd --system --gid 10001 bff \
    && useradd --system --uid 10001 --gid bff --home-dir /app --shell /usr/sbin/nologin bff
COPY --from=build --chown=bff:bff /app/.venv /app/.venv
ENV PATH="/app/.venv/bin:$PATH" PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    BFF_ENV=production BFF_HOST=0.0.0.0 BFF_PORT=8000
WORKDIR /app
USER bff
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=2).status != 200)"]
CMD ["bff", "serve"]
