# Kết Nối — two commands on a fresh machine:
#   make run    set up, migrate, seed the demo event and serve http://127.0.0.1:8000
#   make test   set up (incl. Chromium and poppler) and run every test
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/ketnoi
# worksteal: an idle worker takes queued tests from a busy one, so the long browser journeys do not leave one
# worker running alone at the end of a pass.
PYTEST_ARGS ?= -n 2 --dist worksteal

.PHONY: run scale setup setup-dev assets translations test test-sqlite test-postgres system-test-deps report-fonts lint messages bench drill clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed

translations: $(VENV)/.installed
	$(PY) manage.py compiletranslations -v0

setup: $(VENV)/.installed assets translations
	mkdir -p var

setup-dev: setup $(VENV)/.installed-dev

# Liberation Serif (Debian fonts-liberation2): the official report's PDF font (reporting/pdf_report.py), standing in
# for Times New Roman (same metrics). Installed when missing; a clear error when it still is.
REPORT_FONT_DIR ?= /usr/share/fonts/truetype/liberation2
report-fonts:
	@if [ ! -f $(REPORT_FONT_DIR)/LiberationSerif-Regular.ttf ]; then \
		echo "Installing fonts-liberation2 from Debian (the official report's PDF font)"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-liberation2 >/dev/null) || true; \
	fi
	@[ -f $(REPORT_FONT_DIR)/LiberationSerif-Regular.ttf ] || { \
		echo "Liberation Serif is missing from $(REPORT_FONT_DIR): install the Debian package fonts-liberation2" \
		     "(apt-get install fonts-liberation2) or set REPORT_FONT_DIR and OFFICIAL_REPORT_FONT_DIR."; exit 1; }

run: setup report-fonts
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo
	@echo "Serving Kết Nối on http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	@# The periodic jobs (follow-through requests, unpaid reservations) run beside the server and stop with it.
	$(PY) manage.py periodic --loop --site http://$(HOST):$(PORT) -v0 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) eventsite.asgi:application

# Scale mode on this machine: PostgreSQL + Redis + $(WORKERS) Daphne processes behind nginx on :$(SCALE_PORT).
WORKERS ?= 2
SCALE_PORT ?= 8080
scale: setup report-fonts
	@command -v nginx >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null)
	$(PY) deploy/scale_mode.py --workers $(WORKERS) --port $(SCALE_PORT) --seed

# Chromium (browser tests), poppler (PDF checks) and gettext (translation check) come from Debian.
system-test-deps:
	@if [ ! -x /usr/lib/chromium/chromium ] || ! command -v pdftoppm >/dev/null || ! command -v xgettext >/dev/null; then \
		echo "Installing chromium, poppler-utils and gettext from Debian"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils gettext >/dev/null; \
	fi

test: setup-dev system-test-deps report-fonts
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite:
	@echo "== Test pass 1/2: SQLite + in-memory channel layer =="
	env -u DATABASE_URL $(VENV)/bin/pytest $(PYTEST_ARGS)

# The whole suite again on PostgreSQL (race tests only run here), except the browser journeys: they drive the same
# pages through a real server in pass 1, and what differs by database under them is tested here by the same pages'
# tests and the server-process tests (cross-process websockets, scale mode, faults). Skipped, with the reason
# printed, where no server answers, unless REQUIRE_SERVICES=1 (CI), where that is a failure.
test-postgres:
	@if $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null; then \
		echo "== Test pass 2/2: PostgreSQL ($(PG_URL)) =="; \
		DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest $(PYTEST_ARGS) -m "not browser"; \
	elif [ "$$REQUIRE_SERVICES" = "1" ]; then \
		echo "REQUIRE_SERVICES=1 but PostgreSQL does not answer at 127.0.0.1:5432"; exit 1; \
	else \
		echo "== Test pass 2/2 skipped: PostgreSQL does not answer at 127.0.0.1:5432 =="; \
	fi

lint: setup-dev
	$(VENV)/bin/ruff check .

# Extract strings into the per-app catalogs (needs gettext); then fill in the Vietnamese.
messages: setup-dev
	$(PY) manage.py makemessages -l vi --no-obsolete --no-location --no-wrap -i .venv -i node_modules -i var -i staticfiles -i tests -i bench
	$(PY) manage.py compiletranslations

bench: setup-dev
	$(PY) -m bench

# The short fault drill CI runs after the tests (a worker killed, Redis and PostgreSQL restarted, once each) against
# a private PostgreSQL cluster and redis-server it starts on free ports; fails on a lost or doubled check-in or a
# client left behind. The full drills: `$(PY) -m bench faults --quick`.
drill: setup-dev
	$(PY) -m bench faults --ci

clean:
	rm -rf $(VENV) node_modules var staticfiles test-artifacts
