package io.jgrok.bench;

import io.jgrok.engine.cpu.Ops;
import io.jgrok.engine.cpu.ScalarOps;
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
 * The per-example loops of the CPU engine, SIMD against scalar, at the paper's widths (d_mlp 512, 114 logits),
 * reading rows of a table as large as the engine's (908 slots) at random, as the gathers do.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class OpsBench {
    @Param({"vector", "scalar"})
    public String impl;

    @Param({"512", "114"})
    public int width;

    private Ops ops;
    private float[] table;
    private float[] row;
    private float[] out3 = new float[3];
    private double[] exps;
    private int[] slots;
    private int cursor;

    @Setup
    public void setUp() {
        ops = impl.equals("vector") ? Ops.best() : new ScalarOps();
        Random rnd = new Random(1);
        table = new float[908 * width];
        for (int i = 0; i < table.length; i++) {
            table[i] = (float) rnd.nextGaussian();
        }
        row = new float[width];
        for (int i = 0; i < width; i++) {
            row[i] = (float) rnd.nextGaussian();
        }
        exps = new double[width];
        slots = new int[4096];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = rnd.nextInt(908) * width;
        }
    }

    private int next() {
        cursor = (cursor + 3) & 4095;
        return cursor;
    }

    @Benchmark
    public float[] gather3() {
        int c = next();
        ops.axpy3(width, 0.2f, slots[c], 0.3f, slots[c + 1 & 4095], 0.5f, slots[c + 2 & 4095], table, row, 0);
        return row;
    }

    @Benchmark
    public float[] dot3() {
        int c = next();
        ops.dot3(width, row, 0, table, slots[c], slots[c + 1 & 4095], slots[c + 2 & 4095], out3);
        return out3;
    }

    @Benchmark
    public float[] scatter3() {
        int c = next();
        ops.scatter3(width, row, 0, 1e-3f, slots[c], -1e-3f, slots[c + 1 & 4095], 1e-3f, slots[c + 2 & 4095],
                table);
        return table;
    }

    @Benchmark
    public double expShifted() {
        return ops.expShifted(width, row, 0, 3.0, exps);
    }
}
