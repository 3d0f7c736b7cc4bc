package io.jgrok.bench;

import io.jgrok.analysis.AblationPlan;
import io.jgrok.analysis.AnalysisBackend;
import io.jgrok.analysis.AnalysisBackends;
import io.jgrok.analysis.PaperNumbers;
import io.jgrok.analysis.ProgressMeasures;
import io.jgrok.config.Preset;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.RunDirectory;
import io.jgrok.model.Initializer;
import io.jgrok.model.TrainingState;
import io.jgrok.util.Progress;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The progress measures of 400 checkpoints at the paper's config (p = 113, d_model 128, d_mlp 512, 114 logits),
 * with the paper's five key frequencies, on the CPU backend with all cores: the real pass of {@code jgrok analyze}
 * (read each checkpoint from disk, logits of all 12,769 inputs, restricted/excluded/per-frequency losses, Fourier
 * norms of W_E and W_L, Gini, weight norm). The goal is under 60 s on the 2-core development machine.
 *
 * <p>The 400 checkpoints (about 1.1 GB: weights plus AdamW moments, as training writes them) are random weights
 * written once into {@code -Djgrok.bench.dir} (default {@code /tmp/jgrok-bench-progress-400}) and reused; the cost
 * per checkpoint does not depend on the weights' values. One timed pass through {@link #main}:
 * <pre>
 *   mvn -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 *   OPENBLAS_NUM_THREADS=1 java -Xmx8g -cp target/test-classes:target/classes:$(cat target/classpath.txt) \
 *       io.jgrok.bench.ProgressMeasuresBench
 * </pre>
 * or through JMH ({@code make jmh JMH_ARGS=ProgressMeasuresBench}). OPENBLAS_NUM_THREADS=1 matters: the backend
 * already runs one checkpoint per core, and OpenBLAS's own threads on top of that oversubscribe the cores.
 *
 * <p>{@code -Djgrok.bench.device=cuda} (or JMH's {@code -p device=cuda}) times the device backend on a GPU instead,
 * with the same checkpoints; {@code auto} and {@code emulated} work too (the emulated device takes ~2 s per
 * checkpoint at this size: it verifies kernels, it is not meant to be fast).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx8g", "-XX:+UseParallelGC"})
public class ProgressMeasuresBench {
    static final int CHECKPOINTS = 400;
    static final int EVERY = 100;

    /** cpu, cuda, emulated or auto: the analysis backend timed. */
    @Param({"cpu"})
    public String device;

    RunConfig config;
    List<Path> files;
    AblationPlan plan;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        RunConfig.Builder b = Preset.PAPER.defaults().toBuilder();
        b.device = "cpu";
        config = b.build();
        Path dir = Path.of(System.getProperty("jgrok.bench.dir", "/tmp/jgrok-bench-progress-400"));
        files = writeCheckpoints(new RunDirectory(dir), config);
        Split split = Split.of(config);
        plan = new AblationPlan(PaperNumbers.KEY_FREQUENCIES, split.train(), split.test(), false);
    }

    static List<Path> writeCheckpoints(RunDirectory dir, RunConfig config) throws IOException {
        List<Path> existing = dir.checkpointFiles();
        if (existing.size() == CHECKPOINTS) {
            return existing;
        }
        Files.createDirectories(dir.checkpoints());
        float[] init = Initializer.initialParameters(config);
        Random rnd = new Random(1);
        for (int i = 0; i < CHECKPOINTS; i++) {
            float[] w = init.clone();
            for (int j = 0; j < w.length; j++) {
                w[j] *= (float) (1 + 0.1 * rnd.nextGaussian());
            }
            Checkpoints.write(dir.checkpoint((long) i * EVERY), config, (long) i * EVERY, TrainingState.fresh(w));
        }
        return dir.checkpointFiles();
    }

    @Benchmark
    public List<ProgressMeasures.Row> progressMeasures() {
        try (AnalysisBackend backend = AnalysisBackends.open(device, config,
                Runtime.getRuntime().availableProcessors(), System.err)) {
            System.err.println("backend: " + backend.description());
            return ProgressMeasures.compute(backend, config, files, plan,
                    Progress.create("progress", "ckpt", files.size(), 0, false));
        }
    }

    /** One timed pass without JMH: {@code java -cp ... io.jgrok.bench.ProgressMeasuresBench}. */
    public static void main(String[] args) throws IOException {
        ProgressMeasuresBench bench = new ProgressMeasuresBench();
        bench.device = System.getProperty("jgrok.bench.device", "cpu");
        long t0 = System.nanoTime();
        bench.setUp();
        long t1 = System.nanoTime();
        List<ProgressMeasures.Row> rows = bench.progressMeasures();
        long t2 = System.nanoTime();
        System.out.printf(java.util.Locale.ROOT, "setup (write or find %d checkpoints): %.1f s%n", CHECKPOINTS,
                (t1 - t0) / 1e9);
        System.out.printf(java.util.Locale.ROOT, "progress measures of %d checkpoints at the paper config, "
                        + "--device %s, %d threads: %.1f s (%.0f ms per checkpoint)%n", rows.size(), bench.device,
                Runtime.getRuntime().availableProcessors(), (t2 - t1) / 1e9, (t2 - t1) / 1e6 / rows.size());
    }
}
