package io.jgrok.bench;

import io.jgrok.config.Preset;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.model.Initializer;
import io.jgrok.model.TrainingState;
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

import java.util.concurrent.TimeUnit;

/**
 * The CPU engine's epoch and its parts at the paper's shape: one training epoch (train forward + backward + test
 * forward + AdamW), the train set's loss and gradient alone, and the test set's forward alone.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
@State(Scope.Benchmark)
public class CpuEngineBench {
    @Param({"2"})
    public int threads;

    @Param({"113"})
    public int p;

    private CpuEngine engine;
    private float[] params;
    private int[] train;
    private int[] test;
    private float[] grad;
    private long epoch;

    @Setup(Level.Trial)
    public void setUp() {
        RunConfig.Builder b = Preset.PAPER.defaults().toBuilder();
        b.threads = threads;
        b.p = p;
        b.device = "cpu";
        RunConfig config = b.build();
        Split split = Split.of(config);
        engine = new CpuEngine(config, split);
        params = Initializer.initialParameters(config);
        engine.setState(TrainingState.fresh(params));
        train = split.train();
        test = split.test();
        grad = new float[params.length];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
    }

    @Benchmark
    public int trainingEpoch() {
        return engine.runEpochs(epoch++, 1, (e, a, b, c, d) -> { });
    }

    @Benchmark
    public double trainLossAndGradient() {
        return engine.lossAndGradient(params, train, grad);
    }

    @Benchmark
    public float[] testForward() {
        return engine.logits(params, test);
    }
}
