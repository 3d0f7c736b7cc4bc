# jgrok: build, run, test. `make help` lists the targets.
MVN ?= mvn
MVN_FLAGS ?= -q -B

.PHONY: help run jar test bench jmh clean readme-figures

help:
	@echo "make run     train the paper's model (CPU when no GPU), analyse it and draw the figures"
	@echo "make test    run the test suite (what CI runs)"
	@echo "make jar     build target/jgrok.jar"
	@echo "make bench   epochs/s of the engines at the paper's config"
	@echo "make jmh     JMH benchmarks of the hot operations (bench/java)"
	@echo "make clean   remove build outputs"
	@echo "make readme-figures [RUN=runs/paper]   copy a run's figures into docs/figures/ for README.md"

jar:
	$(MVN) $(MVN_FLAGS) -DskipTests package

run: jar
	./jgrok train --out runs/paper
	./jgrok analyze runs/paper
	./jgrok figures runs/paper

test:
	$(MVN) $(MVN_FLAGS) test

bench: jar
	./jgrok bench

# JMH_ARGS are passed to JMH, e.g. make jmh JMH_ARGS="OpsBench -p width=512"
jmh:
	$(MVN) $(MVN_FLAGS) -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
	java -cp target/test-classes:target/classes:$$(cat target/test-classpath.txt) org.openjdk.jmh.Main $(JMH_ARGS)

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
