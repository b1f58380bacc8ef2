# apms-ops dashboard: docker build -t apms-ops . && docker run -p 8501:8501 -e DATABASE_URL=... apms-ops
# Configuration comes from the environment (DATABASE_URL, STREAMLIT_*, APMS_OPS_*) and from a
# secrets file mounted read-only at /app/.streamlit/secrets.toml ([connections.<name>] tables).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOME=/home/apms \
    XDG_DATA_HOME=/data \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0 \
    STREAMLIT_SERVER_PORT=8501 \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_CLIENT_TOOLBAR_MODE=viewer \
    STREAMLIT_CLIENT_SHOW_ERROR_DETAILS=none

RUN groupadd --system --gid 10001 apms \
 && useradd --system --uid 10001 --gid apms --create-home --home-dir /home/apms --shell /usr/sbin/nologin apms \
 && mkdir -p /data && chown apms:apms /data

WORKDIR /app

COPY requirements.txt .
# Runtime packages only: the test tools (pytest, the browser driver) stay out of the image.
RUN grep -vE '^(pytest|pytest-timeout|playwright)([<>=~!; ]|$)' requirements.txt > /tmp/runtime.txt \
 && pip install -r /tmp/runtime.txt \
 && rm /tmp/runtime.txt

# Code stays owned by root: the app user can read it, not change it.
COPY apms_ops ./apms_ops
COPY sql ./sql
COPY pages ./pages
COPY .streamlit/config.toml ./.streamlit/config.toml
COPY dashboard.py ./

USER apms
# The review history (SQLite) lives here unless APMS_OPS_HISTORY_URL points elsewhere.
VOLUME ["/data"]
EXPOSE 8501

# Streamlit's own health endpoint (under server.baseUrlPath when one is set).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c 'import os, urllib.request; port = os.environ.get("STREAMLIT_SERVER_PORT", "8501"); base = os.environ.get("STREAMLIT_SERVER_BASE_URL_PATH", "").strip("/"); path = (base + "/" if base else "") + "_stcore/health"; urllib.request.urlopen("http://127.0.0.1:%s/%s" % (port, path), timeout=4)'

CMD ["python", "-m", "streamlit", "run", "dashboard.py"]
