# Winnow: build, test, demo, benchmarks. `make help` lists the targets.
SWIFT ?= swift
# Debian packages the build and tests need (GRDB links the system SQLite; the
# import benchmark and some tests use the sqlite3 shell; libcrypto hashes the decision log;
# ncurses-term has the direct-colour terminal descriptions a test uses; xterm, xvfb,
# imagemagick, libsixel-bin and python3 run the review screen's pixel check in a real
# sixel terminal, headless; qemu-user emulates a CPU without AVX for the test that the
# portable search kernel runs there; postgresql: the PostgreSQL 15 server the PostgreSQL
# store's tests start, in a temporary folder, on a Unix socket only).
SYSTEM_PACKAGES := postgresql libsqlite3-dev sqlite3 libopenblas-dev libhnswlib-dev libncursesw5-dev libpng-dev libturbojpeg0-dev libwebp-dev libsixel-dev libssl-dev tmux ncurses-term xterm xvfb imagemagick libsixel-bin python3 qemu-user
SAMPLE := SampleProjects/shapes
WINNOW := .build/debug/winnow

.PHONY: help deps build release test test-hosts format lint demo bench-import bench-export bench-store bench-venv bench-cl bench-nn test-pixels demo-reset bench-pipeline bench-analyze bench-label-issues bench-multilabel bench-crowdlab helper-venv bench-helper bench-review-yield bench-helper-quality bench-quality bench-broken bench-duplicates sample fuzz clean

help:
	@echo "make demo          the review screen on the bundled sample project"
	@echo "make demo-reset    start the sample project over (asks first)"
	@echo "make test          install what is missing, build, run every test (and the pixel check)"
	@echo "make format        lay the code out as .swift-format says (make lint checks it; make test runs lint)"
	@echo "make test-pixels   the review screen's images checked in xterm under Xvfb"
	@echo "make test-hosts    8 decide --next processes and a review screen on three dataset copies sharing one PostgreSQL project (30 s to 3 min)"
	@echo "make build         debug build (.build/debug/winnow, and winnow-bench beside it)"
	@echo "make release       optimised build (.build/release/winnow, and winnow-bench for make bench-*)"
	@echo "make bench-import  import benchmark vs sqlite3 .import (ITEMS=1000000)"
	@echo "make bench-export  export benchmark vs sqlite3 dumping the same rows (ITEMS=1000000)"
	@echo "make bench-store   SQLite and PostgreSQL stores in one run: import, export read, decisions/s, lease claims (STORE_ITEMS=1000000)"
	@echo "make bench-cl      confident learning vs cleanlab (needs make bench-venv)"
	@echo "make bench-label-issues  label-error rankings vs cleanlab on generated datasets, 8 seeds, and the best any weighting could do (needs make bench-venv)"
	@echo "make bench-quality image-quality flags vs CleanVision (makes its venv; QUALITY_IMAGES=2000 mixed, QUALITY_KIND_IMAGES=1000 each other kind)"
	@echo "make bench-broken  truncated, corrupt, empty and bomb images against winnow analyze, Pillow beside it"
	@echo "make bench-nn      exact and HNSW neighbour search vs faiss, every kernel (NN_ITEMS=100000)"
	@echo "make bench-pipeline  winnow import + analyze vs the Python pipeline (PIPELINE_ITEMS=100000)"
	@echo "make bench-analyze full analyze of 1M items (clustered and noisy), peak memory, recall (ANALYZE_ITEMS)"
	@echo "make bench-multilabel  multi-label find_label_issues vs cleanlab (ML_ITEMS=1000000, ML_CLASSES=20)"
	@echo "make bench-crowdlab    CROWDLAB vs cleanlab (CROWD_ITEMS=100000, 5 annotators, 10 classes)"
	@echo "make bench-duplicates  near-duplicate pairs vs cleanlab Datalab on generated datasets (SOURCES=500)"
	@echo "make bench-helper  the helper model vs scikit-learn (HELPER_ITEMS=100000), then 1M items alone"
	@echo "make bench-review-yield  review yield and label-issue precision with the helper, on generated datasets"
	@echo "make bench-helper-quality  label-issue precision from features alone on the label-issue suite: helper vs Datalab and neighbours"
	@echo "make sample        regenerate SampleProjects/ (needs a Python venv, see SampleProjects/README.md)"
	@echo "make fuzz          mutation-fuzz the image decoders, CSV/NPY parsers, dataset reader, winnow.toml (FUZZ_SECONDS=120 per target)"

deps:
	@scripts/install-system-packages.sh $(SYSTEM_PACKAGES)

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# WINNOW_HOSTS_PROOF: the proof with processes on PostgreSQL (PostgresHostsTests) runs too.
test: deps lint
	$(SWIFT) build --build-tests
	WINNOW_HOSTS_PROOF=1 $(SWIFT) test --skip-build
	scripts/check-review-pixels.sh $(WINNOW)

# The code's layout is swift-format's, with the settings in .swift-format (4 spaces, lines up
# to 150 characters, formatting rules only): `make format` applies it, `make lint` (part of
# `make test`) fails on any file it would change.
format:
	$(SWIFT) format format --in-place --recursive --parallel Sources Tests Package.swift

lint:
	$(SWIFT) format lint --strict --recursive --parallel Sources Tests Package.swift

# The review screen in a real sixel terminal (xterm, VT340 graphics, under Xvfb): its
# screenshots compared with the images it sent, after moves, decisions, overlays, resizes.
test-pixels: deps
	$(SWIFT) build
	scripts/check-review-pixels.sh $(WINNOW)

# Issue 14's proof with processes, too slow for make test: three copies of a dataset at
# different paths ("hosts") on one throwaway PostgreSQL database; 8 winnow decide --next
# processes × 200 and a review screen in tmux; nothing decided twice or lost, a review killed
# with SIGKILL lets its items go when its leases expire, winnow verify intact.
test-hosts: deps
	$(SWIFT) build --build-tests
	WINNOW_HOSTS_PROOF=1 $(SWIFT) test --skip-build --filter PostgresHostsTests

demo: build
	$(WINNOW) review $(SAMPLE)

demo-reset: build
	$(WINNOW) reset $(SAMPLE)

ITEMS ?= 1000000
bench-import: release
	.build/release/winnow-bench import --items $(ITEMS) --dataset /tmp/winnow-bench-$(ITEMS)

# Its own dataset (8-d embeddings: the export does not read them), generated and imported once.
bench-export: release
	test -d /tmp/winnow-bench-export-$(ITEMS)/.winnow || (.build/release/winnow-bench generate /tmp/winnow-bench-export-$(ITEMS) --items $(ITEMS) --dimension 8 && .build/release/winnow import /tmp/winnow-bench-export-$(ITEMS))
	.build/release/winnow-bench export --dataset /tmp/winnow-bench-export-$(ITEMS)

# Both project stores on the same generated items; PostgreSQL 15 (Debian's, make deps) in a
# throwaway server of the bench's own (a temporary folder, a Unix socket only, fsync on).
STORE_ITEMS ?= 1000000
STORE_REVIEWERS ?= 4
bench-store: release
	.build/release/winnow-bench store --items $(STORE_ITEMS) --reviewers $(STORE_REVIEWERS)

CLEANLAB_VENV ?= /tmp/cleanlab-venv
bench-venv:
	test -x $(CLEANLAB_VENV)/bin/python || (python3 -m venv $(CLEANLAB_VENV) && $(CLEANLAB_VENV)/bin/pip install -q -r Tests/WinnowAnalysisTests/Fixtures/cleanlab/requirements.txt -r Benchmarks/reference/requirements-faiss.txt)

# Each prints the CPU's features, the kernel and the load with its figures; NN_RUNS
# alternates faiss and Winnow that many times.
NN_ITEMS ?= 100000
NN_RUNS ?= 3
bench-nn: release bench-venv
	.build/release/winnow-bench neighbours --items $(NN_ITEMS) --runs $(NN_RUNS) --openblas --python $(CLEANLAB_VENV)/bin/python
	.build/release/winnow-bench neighbours --items $(NN_ITEMS) --noise 6 --kernels none --skip-hnsw --python $(CLEANLAB_VENV)/bin/python

PIPELINE_ITEMS ?= 100000
bench-pipeline: release bench-venv
	.build/release/winnow-bench pipeline --items $(PIPELINE_ITEMS) --models 2 --runs 2 --python $(CLEANLAB_VENV)/bin/python
	.build/release/winnow-bench pipeline --items $(PIPELINE_ITEMS) --models 2 --embeddings clustered --runs 2 --python $(CLEANLAB_VENV)/bin/python

# 1M items, 10 classes, 2 models, 128-d: generated and imported once per kind (in /tmp).
ANALYZE_ITEMS ?= 1000000
bench-analyze: release bench-venv
	for kind in clustered noisy; do \
	  dir=/tmp/winnow-bench-analyze-$(ANALYZE_ITEMS)-$$kind; \
	  test -d $$dir/.winnow || (.build/release/winnow-bench generate $$dir --items $(ANALYZE_ITEMS) --models 2 --embeddings $$kind && .build/release/winnow import $$dir) || exit 1; \
	  .build/release/winnow-bench analyze $$dir --sample 10000 --python $(CLEANLAB_VENV)/bin/python || exit 1; \
	done

LABEL_SEEDS ?= 0,1,2,3,4,5,6,7
LABEL_SUITE ?= /tmp/winnow-label-issue-suite
bench-label-issues: release bench-venv
	.build/release/winnow-bench label-issues --suite --seeds $(LABEL_SEEDS) --suite-directory $(LABEL_SUITE) --python $(CLEANLAB_VENV)/bin/python
	$(CLEANLAB_VENV)/bin/python Benchmarks/reference/label_issue_ceiling.py $(LABEL_SUITE) --seeds $(LABEL_SEEDS)

bench-cl: release bench-venv
	.build/release/winnow-bench confident-learning --items $(ITEMS) --python $(CLEANLAB_VENV)/bin/python

# The helper model's references: scikit-learn, cleanlab with Datalab (a venv outside the repository).
HELPER_VENV ?= /tmp/venv-helpermodel
helper-venv:
	test -x $(HELPER_VENV)/bin/python || (python3 -m venv $(HELPER_VENV) && $(HELPER_VENV)/bin/pip install -q -r Benchmarks/reference/requirements-helper.txt)

HELPER_ITEMS ?= 100000
bench-helper: release helper-venv
	.build/release/winnow-bench helper --items $(HELPER_ITEMS) --runs 3 --python $(HELPER_VENV)/bin/python
	.build/release/winnow-bench helper --items 1000000 --no-reference

# Datasets with known errors in varied regimes (generated once), then the review yield of
# each order and the label-issue precision from features alone.
HELPER_DATASETS ?= /tmp/winnow-helper-datasets
bench-review-yield: release helper-venv
	test -d $(HELPER_DATASETS) || $(HELPER_VENV)/bin/python Benchmarks/reference/helper_datasets.py --out $(HELPER_DATASETS)
	.build/release/winnow-bench review-yield $(HELPER_DATASETS)/* SampleProjects/shapes --python $(HELPER_VENV)/bin/python
	.build/release/winnow-bench helper-quality $(HELPER_DATASETS)/* SampleProjects/shapes --python $(HELPER_VENV)/bin/python

# Label-issue precision from the features alone on every dataset of the label-issue suite
# (seed 0, generated once as bench-label-issues does; LABEL_SUITE is defined above).
bench-helper-quality: release helper-venv bench-venv
	test -f $(LABEL_SUITE)/s0/suite.json || .build/release/winnow-bench label-issues --suite --seeds 0 --suite-directory $(LABEL_SUITE) --python $(CLEANLAB_VENV)/bin/python
	.build/release/winnow-bench helper-quality $(LABEL_SUITE)/s0/*/ --python $(HELPER_VENV)/bin/python
# CleanVision in its own venv (its pins differ from faiss's).
CLEANVISION_VENV ?= /tmp/cleanvision-venv
QUALITY_IMAGES ?= 2000
QUALITY_KIND_IMAGES ?= 1000
bench-quality: release
	test -x $(CLEANVISION_VENV)/bin/python || (python3 -m venv $(CLEANVISION_VENV) && $(CLEANVISION_VENV)/bin/pip install -q -r Benchmarks/reference/requirements-cleanvision.txt)
	.build/release/winnow-bench quality --images $(QUALITY_IMAGES) --python $(CLEANVISION_VENV)/bin/python
	.build/release/winnow-bench quality --images $(QUALITY_KIND_IMAGES) --kinds photo,drawn,small --seeds 4 --python $(CLEANVISION_VENV)/bin/python

# Broken images against winnow analyze at 200x150 and 1024x683 (the same venv: Pillow, numpy).
bench-broken: release
	test -x $(CLEANVISION_VENV)/bin/python || (python3 -m venv $(CLEANVISION_VENV) && $(CLEANVISION_VENV)/bin/pip install -q -r Benchmarks/reference/requirements-cleanvision.txt)
	for size in 200x150 1024x683; do $(CLEANVISION_VENV)/bin/python Benchmarks/reference/broken_images.py /tmp/winnow-broken-$$size .build/release/winnow --size $$size || exit 1; done

ML_ITEMS ?= 1000000
ML_CLASSES ?= 20
bench-multilabel: release bench-venv
	.build/release/winnow-bench multilabel --items $(ML_ITEMS) --classes $(ML_CLASSES) --python $(CLEANLAB_VENV)/bin/python

CROWD_ITEMS ?= 100000
bench-crowdlab: release bench-venv
	.build/release/winnow-bench crowdlab --items $(CROWD_ITEMS) --annotators 5 --classes 10 --python $(CLEANLAB_VENV)/bin/python

# Near-duplicates: generated datasets (digits, sketches, shapes × three embedding regimes ×
# two copy strengths × seeds × copy rates and class counts) and the shapes sample, Winnow
# with and without embeddings against Datalab's near_duplicate check in the same run.
DUPLICATES_VENV ?= /tmp/venv-neardup
SOURCES ?= 500
bench-duplicates: release
	test -x $(DUPLICATES_VENV)/bin/python || (python3 -m venv $(DUPLICATES_VENV) && $(DUPLICATES_VENV)/bin/pip install -q -r Benchmarks/reference/requirements-duplicates.txt)
	.build/release/winnow-bench duplicates --python $(DUPLICATES_VENV)/bin/python --sources $(SOURCES) --sample $(SAMPLE)

VENV ?= /tmp/winnow-venv
sample:
	test -x $(VENV)/bin/python || (python3 -m venv $(VENV) && $(VENV)/bin/pip install -q -r SampleProjects/requirements.txt)
	$(VENV)/bin/python SampleProjects/generate.py

# Not part of make test: a campaign of FUZZ_SECONDS per target (libFuzzer with AddressSanitizer
# from Swift's toolchain; see scripts/fuzz.sh). Findings go to FUZZ_DIR/findings.
FUZZ_SECONDS ?= 120
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

clean:
	rm -rf .build
