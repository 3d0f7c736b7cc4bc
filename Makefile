# jgrok: build, run, test. `make help` lists the targets.
MVN ?= mvn
MVN_FLAGS ?= -q -B
# Builds print one line unless something fails; `make V=1 ...` shows every command. (Maven's colour resets are
# switched off in .mvn/jvm.config.)
Q := $(if $(V),,@)

.PHONY: help run demo jar test bench jmh golden torch-fixtures clean readme-figures kernels emulator emulator-tsan emulator-tsan-optional test-tsan emulator-bench \
        gpu-check dist dist-check

help:
	@echo "make run            train the paper's model (CPU when no GPU) into runs/paper, analyse it, draw the figures"
	@echo "make demo           a small model that groks in about a minute on two cores: runs/demo, analysed and drawn"
	@echo "make test           run the test suite (what CI runs); builds the emulator, and the kernels when nvcc exists"
	@echo "make jar            build target/jgrok.jar"
	@echo "make bench          epochs/s of the engines at the paper's config"
	@echo "make jmh            JMH benchmarks of the hot operations (bench/java)"
	@echo "make golden         regenerate the PyTorch golden test values (needs python3-torch)"
	@echo "make torch-fixtures regenerate the PyTorch files the import/export tests read (needs python3-torch)"
	@echo "make kernels        nvcc: kernels/jgrok.fatbin (sm_80/86/89/90 + PTX), spill check, kernels/ptxas-table.txt"
	@echo "make emulator       g++: the emulated device (the same kernels for the host) into target/native/"
	@echo "make emulator-tsan  the emulated device with real threads under ThreadSanitizer (target/native/tsan/)"
	@echo "make test-tsan      device tests (TEST=pattern) on the ThreadSanitizer emulator; a data race fails"
	@echo "make emulator-bench launch throughput of the emulated device"
	@echo "make readme-figures copy a run's figures (RUN=runs/paper) into docs/figures/ for README.md"
	@echo "make gpu-check      on a machine with an NVIDIA GPU: ./jgrok gpu-check (probe, device checks, speed, profile)"
	@echo "make dist           dist/jgrok-<version>-linux-x86_64/ and .tar.gz: jgrok with its own Java runtime"
	@echo "make dist-check     run the bundle with Java out of reach: gpu-check --device emulated --quick"
	@echo "make clean          remove build outputs"
	@echo "(V=1 shows the commands a build runs, e.g. make V=1 jar)"

# With nvcc present, the jar and the tests also get the GPU kernels.
HAVE_NVCC := $(shell command -v $(or $(NVCC),nvcc) 2>/dev/null)
GPU_KERNELS := $(if $(HAVE_NVCC),kernels)

jar: emulator $(GPU_KERNELS)
	$(Q)$(MVN) $(MVN_FLAGS) -DskipTests package
	@echo "built target/jgrok.jar"

# The paper's reproduction: train (resuming if interrupted), analyse, draw the figures and the report.
run: jar
	if [ -f runs/paper/config.json ]; then ./jgrok train --resume runs/paper; else ./jgrok train --out runs/paper; fi
	./jgrok analyze runs/paper
	./jgrok figures runs/paper

# A small model that groks in about a minute on two CPU cores (p 53, 50% of the pairs as training data, lr 3e-3,
# 2,500 epochs), found by experiment: seed 0 reaches 99% test accuracy at epochs 926-943 with 1 or 2 threads, OpenBLAS
# or the Java BLAS (DemoGroksTest checks it).
DEMO_FLAGS = --p 53 --d_model 64 --d_mlp 256 --lr 0.003 --train_fraction 0.5 --n_epochs 2500 --checkpoint_every 50
demo:
	if [ -f runs/demo/config.json ]; then ./jgrok train --resume runs/demo; else ./jgrok train --out runs/demo $(DEMO_FLAGS); fi
	./jgrok analyze runs/demo
	./jgrok figures runs/demo

test: emulator $(GPU_KERNELS)
	$(MVN) $(MVN_FLAGS) test

bench: jar
	./jgrok bench

# On a machine with an NVIDIA GPU (and a JDK): build with the kernels, then ./jgrok gpu-check, the jar's command that
# probes the GPU, runs the device checks the tests run, and measures the paper config (docs/gpu-machines.md). Machines
# without Java run the same command from the bundle: make dist, then bin/jgrok gpu-check there.
GPU_CHECK_OUT ?= gpu-check
gpu-check:
	@command -v $(NVCC) >/dev/null || { echo "gpu-check: nvcc not found: the CUDA kernels cannot be built"; exit 2; }
	$(MAKE) --no-print-directory jar
	./jgrok gpu-check --out $(GPU_CHECK_OUT) $(GPU_CHECK_ARGS)

# ---- the self-contained bundle (docs/gpu-machines.md) ---------------------------------------------------------------

VERSION := $(shell sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)
DIST_NAME := jgrok-$(VERSION)-linux-x86_64
DIST_DIR := dist/$(DIST_NAME)
# The JDK the bundle's runtime is linked from. Temurin 25 when installed: its runtime needs glibc 2.17 (RHEL 8 has
# 2.28) and it links without jmods; else the JDK that builds (Debian's 17 needs glibc 2.34, and openjdk-17-jmods).
DIST_JDK ?= $(firstword $(wildcard /usr/lib/jvm/temurin-25-jdk-amd64) $(JAVA_HOME))
# What jgrok uses (jdeps): java.desktop for the figures, java.management for CPU time, jdk.unsupported for Gson/JNA.
DIST_MODULES := java.base,java.desktop,java.logging,java.management,jdk.management,java.xml,jdk.incubator.vector,jdk.unsupported

# The emulated device goes in as built (target/native/): linking libstdc++ and libgcc statically was tried and needs a
# newer glibc (2.36: libstdc++.a's random.o calls arc4random, libgcc's unwinder _dl_find_object) than the shared build
# (glibc 2.34 and GCC 12's libstdc++, GLIBCXX_3.4.30); tools/dist/build.sh measures and README-dist.txt states both.
dist: jar
	DIST_DIR=$(DIST_DIR) DIST_JDK=$(DIST_JDK) DIST_MODULES=$(DIST_MODULES) JAR=target/jgrok.jar \
	  EMU_DIR=$(NATIVE_DIR) VERSION=$(VERSION) tools/dist/build.sh

dist-check: dist
	tools/dist/check.sh dist/$(DIST_NAME).tar.gz

# JMH_ARGS are passed to JMH, e.g. make jmh JMH_ARGS="OpsBench -p width=512"
jmh:
	$(MVN) $(MVN_FLAGS) -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
	java -cp target/test-classes:target/classes:$$(cat target/test-classpath.txt) org.openjdk.jmh.Main $(JMH_ARGS)

# Regenerate the PyTorch golden values under src/test/resources/golden (needs Debian's python3-torch).
golden:
	/usr/bin/python3 tools/make_golden.py
	/usr/bin/python3 tools/make_torch_randperm_checks.py

# Regenerate the small PyTorch files under src/test/resources/torch (needs Debian's python3-torch).
torch-fixtures:
	/usr/bin/python3 tools/make_torch_fixtures.py

# The figures README.md shows, copied from a run that `./jgrok figures` has drawn.
RUN ?= runs/paper
README_FIGURES = training_curves progress_measures embed_fourier_norms neuron_activations logit_fourier_norms
readme-figures:
	@for f in $(README_FIGURES); do test -f "$(RUN)/figures/$$f.png" || { \
	  echo "make readme-figures: $(RUN)/figures/$$f.png is missing; run ./jgrok figures $(RUN) first (RUN=DIR picks the run)" >&2; exit 2; }; done
	mkdir -p docs/figures
	for f in $(README_FIGURES); do cp "$(RUN)/figures/$$f.png" docs/figures/ && chmod 644 "docs/figures/$$f.png"; done
	@echo "copied $(README_FIGURES) from $(RUN)/figures to docs/figures"

clean:
	$(MVN) $(MVN_FLAGS) clean
	rm -rf kernels/jgrok.fatbin kernels/jgrok.kernels kernels/ptxas-report.txt kernels/ptxas-table.txt dist

# ---- CUDA kernels and the emulated device (conventions: src/main/cuda/README.md) ----------------------------------

CUDA_DIR := src/main/cuda
EMU_DIR := src/main/native/emu
NATIVE_DIR := target/native
TSAN_DIR := $(NATIVE_DIR)/tsan
KERNEL_SOURCES := $(sort $(wildcard $(CUDA_DIR)/*.cu))
KERNEL_HEADERS := $(wildcard $(CUDA_DIR)/*.cuh)
EMU_HEADERS := $(wildcard $(EMU_DIR)/*.h)
# Both compilers build one translation unit that includes every kernel file (in name order), so a name clash
# between files fails on the emulator exactly as under nvcc.
UNITY := target/cuda/jgrok_all.cu

$(UNITY): FORCE
	@mkdir -p $(@D)
	@{ echo "// Generated by make: every kernel file of $(CUDA_DIR)/, compiled as one unit."; \
	  for f in $(notdir $(KERNEL_SOURCES)); do echo "#include \"$$f\""; done; } > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

FORCE:

# Each kernel's __launch_bounds__, read from the sources for the emulated device (g++ ignores the attribute); linked
# into the emulator's kernel library, and so into the manifest. `make kernels` checks it against nvcc's PTX.
BOUNDS_CPP := target/cuda/jgrok_launch_bounds.cpp
$(BOUNDS_CPP): $(KERNEL_SOURCES) $(KERNEL_HEADERS) tools/LaunchBounds.java
	@mkdir -p $(@D)
	java tools/LaunchBounds.java generate $(CUDA_DIR) $@

# -- nvcc: SASS for Ampere (sm_80, sm_86), Ada (sm_89) and Hopper (sm_90), plus compute_90 PTX for newer GPUs.
NVCC ?= nvcc
CUDA_ARCHS := -gencode arch=compute_80,code=sm_80 -gencode arch=compute_86,code=sm_86 \
              -gencode arch=compute_89,code=sm_89 -gencode 'arch=compute_90,code=[sm_90,compute_90]'
NVCC_FLAGS := -std=c++17 -O3 -lineinfo --Werror all-warnings -Xcompiler -Wall,-Wextra -Xptxas -v

kernels: kernels/jgrok.fatbin kernels/jgrok.kernels target/cuda/jgrok.ptx
	$(Q)java tools/PtxasReport.java kernels/ptxas-report.txt kernels/jgrok.kernels $(CUDA_DIR) kernels/ptxas-table.txt
	$(Q)java tools/LaunchBounds.java check-ptx target/cuda/jgrok.ptx kernels/jgrok.kernels

# PTX of the lowest architecture, only to compare the launch bounds nvcc compiled with the manifest's.
target/cuda/jgrok.ptx: $(UNITY) $(KERNEL_SOURCES) $(KERNEL_HEADERS) Makefile
	$(Q)$(NVCC) -std=c++17 -O3 -arch=compute_80 -I$(CUDA_DIR) --ptx -o $@ -x cu $(UNITY)

kernels/jgrok.fatbin: $(UNITY) $(KERNEL_SOURCES) $(KERNEL_HEADERS) Makefile
	@mkdir -p kernels
	$(Q)$(NVCC) $(NVCC_FLAGS) $(CUDA_ARCHS) -I$(CUDA_DIR) --fatbin -o $@.tmp -x cu $(UNITY) 2> kernels/ptxas-report.txt \
	  || { grep -v '^ptxas info' kernels/ptxas-report.txt | grep -v '^    [0-9]* bytes stack' >&2; rm -f $@.tmp; exit 1; }
	@mv $@.tmp $@

# The kernel names and signatures, read from the emulator's registry: CudaDevice checks launches against them.
kernels/jgrok.kernels: $(NATIVE_DIR)/libjgrok_emu_kernels.so $(NATIVE_DIR)/jgrok_emu_manifest
	@mkdir -p kernels
	$(Q){ echo "# nvcc: $$($(NVCC) --version | grep release)"; \
	  $(NATIVE_DIR)/jgrok_emu_manifest $(NATIVE_DIR)/libjgrok_emu_kernels.so; } > $@.tmp && mv $@.tmp $@

# -- g++: the emulated device. libjgrok_emu.so = runtime + JNI; libjgrok_emu_kernels.so = the kernels.
JAVA_HOME ?= $(shell dirname $$(dirname $$(readlink -f $$(command -v javac))))
JNI_INCLUDES := -I$(JAVA_HOME)/include -I$(JAVA_HOME)/include/linux
EMU_CXX ?= g++
# TLS descriptors make threadIdx & co. (thread-local, read from the kernel library) a load instead of a call.
TLS_DIALECT := $(if $(filter x86_64,$(shell uname -m)),-mtls-dialect=gnu2)
EMU_FLAGS := -std=c++17 -g -fPIC -pthread -Wall -Wextra -Werror -I$(EMU_DIR) $(TLS_DIALECT)
EMU_COMMON := $(EMU_DIR)/emu_common.cpp $(EMU_DIR)/emu_block.cpp $(EMU_DIR)/emu_jni.cpp
EMU_FIBERS := $(EMU_DIR)/emu_context.cpp $(EMU_DIR)/emu_context_x86_64.S $(EMU_DIR)/emu_fibers.cpp
EMU_THREADS := $(EMU_DIR)/emu_threads.cpp
TSAN_FLAGS := -O1 -fsanitize=thread -DCUDA_EMU_THREADS

emulator: $(NATIVE_DIR)/libjgrok_emu.so $(NATIVE_DIR)/libjgrok_emu_kernels.so

$(NATIVE_DIR)/libjgrok_emu.so: $(EMU_COMMON) $(EMU_FIBERS) $(EMU_HEADERS) Makefile
	@mkdir -p $(@D)
	$(Q)$(EMU_CXX) $(EMU_FLAGS) -O2 $(JNI_INCLUDES) -shared -Wl,-soname,libjgrok_emu.so -o $@ \
	  $(EMU_COMMON) $(EMU_FIBERS) -ldl

$(NATIVE_DIR)/libjgrok_emu_kernels.so: $(UNITY) $(KERNEL_SOURCES) $(KERNEL_HEADERS) $(EMU_DIR)/emu_module.cpp \
                                       $(BOUNDS_CPP) $(EMU_HEADERS) $(NATIVE_DIR)/libjgrok_emu.so
	$(Q)$(EMU_CXX) $(EMU_FLAGS) -O2 -I$(CUDA_DIR) -shared -o $@ -x c++ $(UNITY) -x none $(EMU_DIR)/emu_module.cpp \
	  $(BOUNDS_CPP) -L$(NATIVE_DIR) -ljgrok_emu -Wl,-rpath,'$$ORIGIN'

$(NATIVE_DIR)/jgrok_emu_manifest: $(EMU_DIR)/emu_manifest.cpp $(EMU_HEADERS) $(NATIVE_DIR)/libjgrok_emu.so
	$(Q)$(EMU_CXX) $(EMU_FLAGS) -O2 -o $@ $< -L$(NATIVE_DIR) -ljgrok_emu -Wl,-rpath,'$$ORIGIN' -ldl

emulator-tsan: $(TSAN_DIR)/libjgrok_emu.so $(TSAN_DIR)/libjgrok_emu_kernels.so

# For Maven: build the ThreadSanitizer emulator where the compiler can (its test skips, with the reason, where not).
emulator-tsan-optional:
	-@$(MAKE) --no-print-directory emulator-tsan

$(TSAN_DIR)/libjgrok_emu.so: $(EMU_COMMON) $(EMU_THREADS) $(EMU_HEADERS) Makefile
	@mkdir -p $(@D)
	$(EMU_CXX) $(EMU_FLAGS) $(TSAN_FLAGS) $(JNI_INCLUDES) -shared -Wl,-soname,libjgrok_emu.so -o $@ \
	  $(EMU_COMMON) $(EMU_THREADS) -ldl

$(TSAN_DIR)/libjgrok_emu_kernels.so: $(UNITY) $(KERNEL_SOURCES) $(KERNEL_HEADERS) $(EMU_DIR)/emu_module.cpp \
                                     $(BOUNDS_CPP) $(EMU_HEADERS) $(TSAN_DIR)/libjgrok_emu.so
	$(EMU_CXX) $(EMU_FLAGS) $(TSAN_FLAGS) -I$(CUDA_DIR) -shared -o $@ -x c++ $(UNITY) -x none \
	  $(EMU_DIR)/emu_module.cpp $(BOUNDS_CPP) -L$(TSAN_DIR) -ljgrok_emu -Wl,-rpath,'$$ORIGIN'

# The test JVM runs with the ThreadSanitizer runtime preloaded (tools/tsan/bin/java, a path surefire accepts) and the tsan emulator;
# halt_on_error makes a data race end the JVM, which fails the run. Launches are slow there: keep tests small.
TEST ?= EmulatedDeviceContractTest
TSAN_RUNTIME = $(shell $(EMU_CXX) -print-file-name=libtsan.so.2)
test-tsan: emulator emulator-tsan
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 suppressions=$(CURDIR)/$(EMU_DIR)/tsan.supp" \
	JGROK_TSAN_RUNTIME=$(TSAN_RUNTIME) JGROK_TSAN_JAVA=$$(readlink -f $$(command -v java)) \
	  $(MVN) $(MVN_FLAGS) test -Dtest='$(TEST)' -Dsurefire.failIfNoSpecifiedTests=false -Djvm=$(CURDIR)/tools/tsan/bin/java \
	  -Djgrok.test.argLine=-Djgrok.emulator.dir=$(CURDIR)/$(TSAN_DIR)

emulator-bench: emulator
	$(MVN) $(MVN_FLAGS) -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
	java -cp target/test-classes:target/classes:$$(cat target/test-classpath.txt) io.jgrok.device.EmulatorLaunchBench $(BENCH_ARGS)
