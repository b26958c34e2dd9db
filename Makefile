# Winnow: build, test, demo, benchmarks. `make help` lists the targets.
SWIFT ?= swift
# Debian packages the build and tests need (GRDB links the system SQLite; the
# import benchmark and some tests use the sqlite3 shell; libcrypto hashes the decision log;
# ncurses-term has the direct-colour terminal descriptions a test uses).
SYSTEM_PACKAGES := libsqlite3-dev sqlite3 libopenblas-dev libhnswlib-dev libncursesw5-dev libpng-dev libturbojpeg0-dev libwebp-dev libsixel-dev libssl-dev tmux ncurses-term
SAMPLE := SampleProjects/shapes
WINNOW := .build/debug/winnow

.PHONY: help deps build release test demo bench-import bench-export bench-venv bench-cl bench-nn bench-duplicates sample clean

help:
	@echo "make demo          the review screen on the bundled sample project"
	@echo "make test          install what is missing, build, run every test"
	@echo "make build         debug build (.build/debug/winnow)"
	@echo "make release       optimised build (.build/release/winnow)"
	@echo "make bench-import  import benchmark vs sqlite3 .import (ITEMS=1000000)"
	@echo "make bench-export  export benchmark vs sqlite3 dumping the same rows (ITEMS=1000000)"
	@echo "make bench-cl      confident learning vs cleanlab (needs make bench-venv)"
	@echo "make bench-nn      neighbour search vs faiss (needs make bench-venv; ITEMS=100000)"
	@echo "make bench-duplicates  near-duplicate pairs vs cleanlab Datalab on generated datasets (SOURCES=500)"
	@echo "make sample        regenerate SampleProjects/ (needs a Python venv, see SampleProjects/README.md)"

deps:
	@scripts/install-system-packages.sh $(SYSTEM_PACKAGES)

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

demo: build
	$(WINNOW) review $(SAMPLE)

ITEMS ?= 1000000
bench-import: release
	.build/release/winnow bench import --items $(ITEMS) --dataset /tmp/winnow-bench-$(ITEMS)

# Its own dataset (8-d embeddings: the export does not read them), generated and imported once.
bench-export: release
	test -d /tmp/winnow-bench-export-$(ITEMS)/.winnow || (.build/release/winnow bench generate /tmp/winnow-bench-export-$(ITEMS) --items $(ITEMS) --dimension 8 && .build/release/winnow import /tmp/winnow-bench-export-$(ITEMS))
	.build/release/winnow bench export --dataset /tmp/winnow-bench-export-$(ITEMS)

CLEANLAB_VENV ?= /tmp/cleanlab-venv
bench-venv:
	test -x $(CLEANLAB_VENV)/bin/python || (python3 -m venv $(CLEANLAB_VENV) && $(CLEANLAB_VENV)/bin/pip install -q -r Tests/WinnowAnalysisTests/Fixtures/cleanlab/requirements.txt -r Benchmarks/reference/requirements-faiss.txt)

NN_ITEMS ?= 100000
bench-nn: release bench-venv
	.build/release/winnow bench neighbours --items $(NN_ITEMS) --python $(CLEANLAB_VENV)/bin/python

bench-cl: release bench-venv
	.build/release/winnow bench confident-learning --items $(ITEMS) --python $(CLEANLAB_VENV)/bin/python

# Near-duplicates: generated datasets (digits, sketches, shapes × three embedding regimes ×
# two copy strengths × seeds × copy rates and class counts) and the shapes sample, Winnow
# with and without embeddings against Datalab's near_duplicate check in the same run.
DUPLICATES_VENV ?= /tmp/venv-neardup
SOURCES ?= 500
bench-duplicates: release
	test -x $(DUPLICATES_VENV)/bin/python || (python3 -m venv $(DUPLICATES_VENV) && $(DUPLICATES_VENV)/bin/pip install -q -r Benchmarks/reference/requirements-duplicates.txt)
	.build/release/winnow bench duplicates --python $(DUPLICATES_VENV)/bin/python --sources $(SOURCES) --sample $(SAMPLE)

VENV ?= /tmp/winnow-venv
sample:
	test -x $(VENV)/bin/python || (python3 -m venv $(VENV) && $(VENV)/bin/pip install -q -r SampleProjects/requirements.txt)
	$(VENV)/bin/python SampleProjects/generate.py

clean:
	rm -rf .build
