# jgrok: build, run, test. `make help` lists the targets.
MVN ?= mvn
MVN_FLAGS ?= -q -B

.PHONY: help run jar test bench jmh golden clean

help:
	@echo "make run     train the paper's model (CPU when no GPU) into runs/paper and analyse it"
	@echo "make test    run the test suite (what CI runs)"
	@echo "make jar     build target/jgrok.jar"
	@echo "make bench   epochs/s of the engines at the paper's config"
	@echo "make jmh     JMH benchmarks of the hot operations (bench/java)"
	@echo "make golden  regenerate the PyTorch golden test values (needs python3-torch)"
	@echo "make clean   remove build outputs"

jar:
	$(MVN) $(MVN_FLAGS) -DskipTests package

# The paper's reproduction: train (resuming if interrupted), then analyse.
run: jar
	if [ -f runs/paper/config.json ]; then ./jgrok train --resume runs/paper; else ./jgrok train --out runs/paper; fi
	./jgrok analyze runs/paper

test:
	$(MVN) $(MVN_FLAGS) test

bench: jar
	./jgrok bench

# JMH_ARGS are passed to JMH, e.g. make jmh JMH_ARGS="OpsBench -p width=512"
jmh:
	$(MVN) $(MVN_FLAGS) -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
	java -cp target/test-classes:target/classes:$$(cat target/test-classpath.txt) org.openjdk.jmh.Main $(JMH_ARGS)

# Regenerate the PyTorch golden values under src/test/resources/golden (needs Debian's python3-torch).
golden:
	/usr/bin/python3 tools/make_golden.py
	/usr/bin/python3 tools/make_torch_randperm_checks.py

clean:
	$(MVN) $(MVN_FLAGS) clean
