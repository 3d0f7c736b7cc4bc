package io.jgrok.bench;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The BLAS choice, measured: the engine's dominant product, one block of 128 rows of post-ReLU activations times
 * W_out W_U ([128, 512] x [512, 114], 15 MFLOP), with the system's OpenBLAS through netlib's JNI binding against
 * netlib's pure-Java implementation (what runs when no native BLAS is installed), single-threaded as the engine
 * calls it. Divide 2*128*512*114 by the time for GFLOP/s.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class GemmBench {
    @Param({"native", "java"})
    public String blas;

    private BLAS impl;
    private final float[] post = new float[128 * 512];
    private final float[] wou = new float[512 * 114];
    private final float[] logits = new float[128 * 114];

    @Setup
    public void setUp() {
        impl = blas.equals("native") ? NativeBLAS.getInstance() : JavaBLAS.getInstance();
        Random rnd = new Random(1);
        for (int i = 0; i < post.length; i++) {
            post[i] = Math.max(0f, (float) rnd.nextGaussian());
        }
        for (int i = 0; i < wou.length; i++) {
            wou[i] = (float) rnd.nextGaussian();
        }
        // The engine runs OpenBLAS single-threaded in each worker; do the same here.
        io.jgrok.engine.cpu.Gemm.implementation();
    }

    @Benchmark
    public float[] postTimesWou() {
        // Row-major [128,512] x [512,114] as the column-major call C^T = B^T A^T.
        impl.sgemm("N", "N", 114, 128, 512, 1f, wou, 0, 114, post, 0, 512, 0f, logits, 0, 114);
        return logits;
    }
}
