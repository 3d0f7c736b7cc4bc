package io.jgrok.bench;

import io.jgrok.analysis.AgopMeasures;
import io.jgrok.analysis.AnalysisBackend;
import io.jgrok.analysis.AnalysisBackends;
import io.jgrok.analysis.FourierBasis;
import io.jgrok.analysis.PaperNumbers;
import io.jgrok.analysis.SymmetricEigen;
import io.jgrok.config.Preset;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.model.Initializer;
import io.jgrok.model.ParamLayout;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * The AGOP at the paper's config (p = 113, d_model 128, d_mlp 512, 3,830 training pairs; docs/agop.md): {@link #agop}
 * times one batch of as many checkpoints as the backend has workers (one per core on the CPU), {@link #sqrtAndMeasures}
 * the host's float64 eigendecomposition and measures of one checkpoint. Per checkpoint on the CPU, the AGOP part of
 * {@code analyze --agop on} costs agop / workers + sqrtAndMeasures / workers. Random weights: the cost does not
 * depend on the values beyond the number of active neurons (about half).
 * <pre>
 *   make jmh JMH_ARGS="AgopBench"                  # or -p device=cuda on a GPU
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "--add-modules", "jdk.incubator.vector"})
public class AgopBench {
    /** cpu, cuda, emulated or auto: the analysis backend timed. */
    @Param({"cpu"})
    public String device;

    RunConfig config;
    AnalysisBackend backend;
    float[][] batch;
    int[] train;
    double[] g;
    double[] nfm;
    FourierBasis basis;
    int[] keyRows;

    @Setup(Level.Trial)
    public void setUp() {
        RunConfig.Builder b = Preset.PAPER.defaults().toBuilder();
        b.device = "cpu";
        config = b.build();
        int threads = Runtime.getRuntime().availableProcessors();
        backend = AnalysisBackends.open(device, config, threads, new PrintStream(System.err));
        int n = device.equals("cpu") ? threads : backend.preferredBatch();
        batch = new float[n][];
        for (int i = 0; i < n; i++) {
            RunConfig.Builder s = config.toBuilder();
            s.seed = i;
            batch[i] = Initializer.initialParameters(s.build());
        }
        train = Split.of(config).train();
        g = backend.agop(new float[][] {batch[0]}, train)[0];
        nfm = AgopMeasures.nfm(new ParamLayout(config), batch[0]);
        basis = backend.basis();
        keyRows = AgopMeasures.keyRows(basis, PaperNumbers.KEY_FREQUENCIES);
    }

    @Benchmark
    public double[][] agop() {
        return backend.agop(batch, train);
    }

    @Benchmark
    public AgopMeasures sqrtAndMeasures() {
        double[] sqrt = SymmetricEigen.psdSquareRoot(g, 2 * config.p());
        return AgopMeasures.of(g, sqrt, nfm, sqrt, basis, keyRows);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }
}
