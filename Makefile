# MetaLearn: the two commands of the README.
#   make demo  - install system libraries if missing, build in release, run a real comparison
#   make test  - install system libraries if missing, run the test suite (release build;
#                one OpenBLAS thread per call, since test suites run in parallel threads)
SWIFT ?= swift
CONFIG ?= release

.PHONY: demo test deps build bench clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c $(CONFIG)

test: deps
	$(SWIFT) build -c $(CONFIG) --build-tests
	OPENBLAS_NUM_THREADS=1 $(SWIFT) test -c $(CONFIG) --skip-build
	@bash scripts/interop-check.sh

demo: deps
	$(SWIFT) build -c release
	@bash scripts/demo.sh

bench: deps
	$(SWIFT) build -c release --product metalearn-bench
	@bash scripts/bench.sh

clean:
	rm -rf .build
