# jgrok: build, run, test. `make help` lists the targets.
MVN ?= mvn
MVN_FLAGS ?= -q -B

.PHONY: help run jar test bench jmh clean

help:
	@echo "make run     train the paper's model (CPU when no GPU), analyse it and draw the figures"
	@echo "make test    run the test suite (what CI runs)"
	@echo "make jar     build target/jgrok.jar"
	@echo "make bench   epochs/s of the engines at the paper's config"
	@echo "make jmh     JMH benchmarks of the hot operations (bench/java)"
	@echo "make clean   remove build outputs"

jar:
	$(MVN) $(MVN_FLAGS) -DskipTests package

run: jar
	./jgrok train --out runs/paper

test:
	$(MVN) $(MVN_FLAGS) test

bench: jar
	./jgrok bench

# JMH_ARGS are passed to JMH, e.g. make jmh JMH_ARGS="OpsBench -p width=512"
jmh:
	$(MVN) $(MVN_FLAGS) -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
	java -cp target/test-classes:target/classes:$$(cat target/test-classpath.txt) org.openjdk.jmh.Main $(JMH_ARGS)

clean:
	$(MVN) $(MVN_FLAGS) clean
