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

jmh:
	$(MVN) $(MVN_FLAGS) -DskipTests test-compile
	$(MVN) $(MVN_FLAGS) exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.openjdk.jmh.Main -Dexec.args="$(JMH_ARGS)"

clean:
	$(MVN) $(MVN_FLAGS) clean
