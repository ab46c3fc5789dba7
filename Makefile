# container-lab — build, grade and self-test the kit.  `make help` lists the targets.
#
# Sources: stages/core/ (the given core, one copy) + one module per stage. Which copy of each
# module goes into a runtime depends on what is being built:
#   build/ref/container        solutions/*/        (the reference)
#   build/stages/container     stages/*/           (the student's work)
#   build/starter-N/container  solutions/ for stages < N, fresh starters for stages >= N
#                              (what a student has at stage N before writing anything)
#   build/starter-L-N/container  the same with the starters of level L (guided, standard,
#                              challenge: solutions/mkstarter says what each gives)
# Starters are generated from solutions/ by solutions/mkstarter: never edit both. stages/ holds
# the default level's (mkstarter --default-level).

SHELL        := /bin/bash
CC           ?= gcc
CFLAGS       ?= -O2 -g
WARNINGS     := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
PKGS         := libnl-route-3.0 libseccomp libcap
ALL_CFLAGS    = -std=gnu11 $(WARNINGS) $(CFLAGS) -Istages/core $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# The runtime is linked statically (static-pie, so still address-space randomised): started as
# a dynamically linked program it took 3 ms longer (make bench, 11.5 -> 8.2 ms): ld.so maps and
# relocates five libraries, and every fork, clone and exit of the runtime copies or tears down
# those mappings. LINK=dynamic where the distribution ships no static libraries.
LINK         ?= static
LINK_FLAGS    = $(if $(filter static,$(LINK)),-static-pie)
LDLIBS        = $(LINK_FLAGS) $(shell pkg-config --libs $(if $(filter static,$(LINK)),--static) $(PKGS) 2>/dev/null || echo -lnl-route-3 -lnl-3 -lpthread -lseccomp -lcap)
# Linked statically, glibc warns that libnl's name-resolving helpers (getaddrinfo, getprotobyname)
# would need its NSS modules at run time; the runtime never calls them, so those two lines go.
LINK_QUIET    = 2> >(grep -v -e 'in statically linked applications requires at runtime' -e ': in function `nl_' >&2)

STAGES       := $(notdir $(wildcard solutions/0*))
CORE_SRC     := $(wildcard stages/core/*.c)
CORE_HDR     := $(wildcard stages/core/*.h)
SOL_SRC      := $(wildcard $(STAGES:%=solutions/%/*.c))
STAGE_SRC    := $(SOL_SRC:solutions/%=stages/%)
GEN_SRC      := $(SOL_SRC:solutions/%=build/gen/%)
NSTAGES      := $(words $(STAGES))
# A student kit (make student-kit) has no solutions/: there, stages/ alone is the source, and
# the targets that need the reference say so.
HAVE_SOLUTIONS := $(if $(wildcard solutions/0*),yes)
ifndef HAVE_SOLUTIONS
STAGES       := $(notdir $(wildcard stages/0*))
STAGE_SRC    := $(wildcard $(STAGES:%=stages/%/*.c))
NSTAGES      := $(words $(STAGES))
endif
ROOTFS       := build/rootfs
IMAGE_APP    := build/image/app
DEPS_STAMP   := build/.deps

# What `make grade` grades: stages (default), solutions, or a path to any runtime binary.
# It stops at the first stage with a failure (stages build on each other); ALL=1 grades them all.
IMPL         ?= stages
STAGE        ?=
GRADE_ARGS   ?=
# make grade-class SUBMISSIONS=dir [CLASS_ARGS="--jobs 2 --hidden DIR --out DIR"]
SUBMISSIONS  ?=
CLASS_ARGS   ?=
KIT_OUT      ?= build/student-kit
HIDDEN       ?=
# The level of help a student kit gets (make student-kit LEVEL=...): empty is mkstarter's default.
LEVELS       := guided standard challenge
LEVEL        ?=

.PHONY: all help deps runtime starters check-starters readme-tables rootfs image grade bench kill-stress test lint \
	format clean clean-state slides demo record test-vm grade-class student-kit gradescope-bundle hint
.DELETE_ON_ERROR:

all: runtime

# Instructors' targets are listed only where they work: where solutions/ is (not in a student kit).
INSTR        := $(if $(HAVE_SOLUTIONS),@echo,@true)
help:
	@echo "make grade [STAGE=N] [ALL=1] [IMPL=stages$(if $(HAVE_SOLUTIONS),|solutions)|PATH]  grade a runtime (default: yours, stages/) up to its first stage with a failure; ALL=1: every stage"
	@echo "make hint [STAGE=N] [RESET=1]  the next hint for the first test your last grading failed"
	@echo "make bench [IMPL=stages|PATH] [BENCH_GRADING=0]  container start latency vs unshare, bwrap, crun, runc; grading time"
	@echo "make kill-stress [IMPL=stages|solutions|PATH] [RUNS=N]  SIGKILL a runtime N times (500) at every moment: nothing may be left"
	@echo "make test            the kit's self-test (CI runs this)"
	@echo "make runtime         build build/stages/container (yours)$(if $(HAVE_SOLUTIONS), and build/ref/container)"
	@echo "make rootfs          build the busybox rootfs into $(ROOTFS)"
	@echo "make image           the stage 8 image: the app layer $(IMAGE_APP) on the base $(ROOTFS)"
	$(INSTR) "make starters        regenerate stages/*/ starters from solutions/ (instructors)"
	$(INSTR) "make readme-tables   regenerate the graded-tests table of every stage README from the tests"
	@echo "make lint | format   clang-format, cppcheck, shellcheck | reformat the C sources"
	@echo "make deps            install what the kit needs (apt-get, npm)"
	$(INSTR) "make grade-class SUBMISSIONS=DIR [CLASS_ARGS=...]  grade a class: OUT/gradebook.csv (instructors)"
	$(INSTR) "make student-kit [KIT_OUT=DIR] [LEVEL=guided|standard|challenge]  the tree students get (instructors)"
	$(INSTR) "make gradescope-bundle [HIDDEN=DIR]  build/autograder.zip for Gradescope (instructors)"
	@echo "make clean-state     remove mounts, cgroups, veths a killed run left behind"
	$(INSTR) "make test-vm [STAGE=N] [VM_ARGS=...]  the reference in a qemu VM on pure cgroup v2 (tests/kit/vm)"
	$(INSTR) "make slides          build the lecture decks: slides/out/*.html and *.pdf (offline)"
	$(INSTR) "make demo [STAGE=N]  the live demo of stage N (default: a tour of all); DEMO_AUTO=1 DEMO_TMUX=1"
	$(INSTR) "make record          re-record the demos' asciinema casts in slides/casts/"

deps: $(DEPS_STAMP)
$(DEPS_STAMP): tests/install-deps package.json package-lock.json
	tests/install-deps
	@mkdir -p $(@D) && touch $@

runtime: build/stages/container $(if $(HAVE_SOLUTIONS),build/ref/container)

build/ref/container: $(CORE_SRC) $(CORE_HDR) $(SOL_SRC) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $(CORE_SRC) $(SOL_SRC) $(LDLIBS) $(LINK_QUIET)

build/stages/container: $(CORE_SRC) $(CORE_HDR) $(STAGE_SRC) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $(CORE_SRC) $(STAGE_SRC) $(LDLIBS) $(LINK_QUIET)

build/gen/%.c: solutions/%.c solutions/mkstarter .clang-format
	@mkdir -p $(@D)
	solutions/mkstarter $< > $@

# One generated tree per level of help, for build/starter-L-N and the self-test.
define level_rules
build/gen-$(1)/%.c: solutions/%.c solutions/mkstarter .clang-format
	@mkdir -p $$(@D)
	solutions/mkstarter --level $(1) $$< > $$@
# The core through the same filter: a level may take code out of it (//@@ BEGIN SOLUTION(challenge)).
build/gen-$(1)/core/%.c: stages/core/%.c solutions/mkstarter .clang-format
	@mkdir -p $$(@D)
	solutions/mkstarter --level $(1) $$< > $$@
endef
$(foreach l,$(LEVELS),$(eval $(call level_rules,$(l))))
LEVEL_SRC    := $(foreach l,$(LEVELS),$(SOL_SRC:solutions/%=build/gen-$(l)/%) $(CORE_SRC:stages/core/%=build/gen-$(l)/core/%))
.SECONDARY: $(LEVEL_SRC)

# build/starter-N/container (the default level, build/gen/) or build/starter-LEVEL-N/container.
build/starter-%/container: $(CORE_SRC) $(CORE_HDR) $(SOL_SRC) $(GEN_SRC) $(LEVEL_SRC) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@n=$*; gen=build/gen; core=($(CORE_SRC)); \
	case $$n in *-*) gen=build/gen-$${n%-*}; n=$${n##*-}; core=($$gen/core/*.c);; esac; \
	srcs=(); for d in $(STAGES); do \
		if [ "$$((10#$${d%%-*}))" -lt "$$n" ]; then srcs+=(solutions/$$d/*.c); \
		else srcs+=($$gen/$$d/*.c); fi; done; \
	echo "$(CC) ... -o $@ $${core[0]%/*} $${srcs[*]}"; \
	$(CC) $(ALL_CFLAGS) -o $@ "$${core[@]}" "$${srcs[@]}" $(LDLIBS) $(LINK_QUIET)

starters: $(GEN_SRC)
	@for f in $(GEN_SRC); do t=stages/$${f#build/gen/}; mkdir -p "$$(dirname "$$t")"; \
		cmp -s "$$f" "$$t" || { cp "$$f" "$$t"; echo "updated $$t"; }; done

check-starters: $(GEN_SRC)
	@rc=0; for f in $(GEN_SRC); do t=stages/$${f#build/gen/}; \
		if ! cmp -s "$$f" "$$t"; then echo "starter out of sync with its solution: $$t (run make starters)"; \
		diff -u "$$t" "$$f" | head -20; rc=1; fi; done; \
	[ $$rc = 0 ] && echo "starters: all $(words $(GEN_SRC)) in sync with solutions/"; exit $$rc

# The "How you are graded" table of each stage README, from its test file (make test checks them).
readme-tables:
	python3 tests/kit/readme-tables

rootfs: $(ROOTFS)/.built
$(ROOTFS)/.built: rootfs-builder/build $(wildcard rootfs-builder/probes/*.c) | $(DEPS_STAMP)
	rootfs-builder/build $(ROOTFS)
	@touch $@

# The stage 8 image: the app layer, on top of the rootfs as its base layer (rootfs-builder/image).
image: build/image/.app-built
build/image/.app-built: rootfs-builder/image
	rootfs-builder/image $(IMAGE_APP)
	@touch $@

grade: runtime rootfs image
	@impl='$(IMPL)'; case "$$impl" in stages) impl=build/stages/container;; \
		solutions|ref) [ -n "$(HAVE_SOLUTIONS)" ] || { echo "make grade: no solutions/ in a student kit"; exit 2; }; \
			impl=build/ref/container;; esac; \
	tests/grade --impl "$$impl" $(if $(STAGE),--stage $(STAGE)) $(if $(ALL),,--first-failing-stage) $(GRADE_ARGS)

# Graduated help (LAB.md, "Stuck? make hint"): the next level of stages/NN-*/hints.md for the
# first test the last grading failed. No root needed: it reads results/tap/.
hint:
	@tests/hint $(if $(STAGE),--stage $(STAGE)) $(if $(RESET),--reset)

# SIGKILL the runtime (yours by default) at every moment of a container's life, RUNS times, and
# require that nothing is left behind (tests/kill-stress): cgroups, links, mounts, processes, files.
RUNS         ?= 500
kill-stress: runtime rootfs
	@impl='$(IMPL)'; case "$$impl" in stages) impl=build/stages/container;; \
		solutions|ref) [ -n "$(HAVE_SOLUTIONS)" ] || { echo "make kill-stress: no solutions/ in a student kit"; exit 2; }; \
			impl=build/ref/container;; esac; \
	tests/kill-stress --impl "$$impl" --runs $(RUNS)

# Lecture decks and live demos (slides/README.md). The slides need no runtime: their code comes
# from solutions/ at build time; slides/install-deps installs graphviz, chromium and the pinned npm
# packages on first use. `make demo CONTAINER=build/stages/container` demos a student's runtime.
slides:
	slides/build

demo: build/ref/container rootfs image
	slides/demo $(or $(STAGE),all)

record: build/ref/container rootfs image
	slides/record $(STAGE)

# How fast a container starts (tests/kit/bench/run): the reference at every stage -- or, with
# IMPL=stages or IMPL=PATH, that runtime -- against unshare+chroot, bwrap, crun and runc, in one
# hyperfine run; --net against its floor; then how long grading the reference takes.
# BENCH_ARGS: --quick, --runs N, --no-grading, --no-rootfs. BENCH_GRADING=0: no grading run
# (it takes minutes). Results: results/bench/.
BENCH_ARGS   ?=
BENCH_GRADING ?= 1
bench: | $(DEPS_STAMP)
	BENCH_GRADING='$(BENCH_GRADING)' tests/kit/bench/run \
		--impl '$(if $(filter file,$(origin IMPL)),solutions,$(IMPL))' $(BENCH_ARGS)

# The reference (or IMPL=PATH) graded inside a qemu VM: Debian's cloud kernel, pure cgroup v2.
# VM_ARGS: more tests/kit/vm/run options, e.g. VM_ARGS="--mode v1" or "--only 4".
VM_IMPL      = $(if $(filter-out solutions ref stages,$(IMPL)),$(IMPL),build/ref/container)
VM_ARGS      ?=
test-vm: build/ref/container rootfs image
	tests/kit/vm/run --impl $(VM_IMPL) $(if $(STAGE),--stage $(STAGE)) $(VM_ARGS)

test: | $(DEPS_STAMP)
	tests/kit/selftest

lint: | $(DEPS_STAMP)
	tests/kit/lint

format:
	clang-format -i $(CORE_SRC) $(CORE_HDR) $(SOL_SRC) $(wildcard rootfs-builder/probes/*.c)

grade-class: | $(DEPS_STAMP)
	@[ -n "$(SUBMISSIONS)" ] || { echo "usage: make grade-class SUBMISSIONS=DIR [CLASS_ARGS='--jobs 2 --hidden DIR --out DIR']"; exit 2; }
	tests/class/grade-class "$(SUBMISSIONS)" $(CLASS_ARGS)

student-kit:
	rm -rf $(KIT_OUT) $(KIT_OUT).tar.gz
	tests/class/student-kit $(KIT_OUT) --tar $(KIT_OUT).tar.gz $(if $(HIDDEN),--hidden $(HIDDEN)) \
		$(if $(LEVEL),--level $(LEVEL))

gradescope-bundle:
	tests/class/gradescope/make-bundle build/autograder.zip $(if $(HIDDEN),--hidden $(HIDDEN))

clean:
	rm -rf build results

clean-state:
	tests/clean-state
