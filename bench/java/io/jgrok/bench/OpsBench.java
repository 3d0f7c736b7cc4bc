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
 * The per-example loops of the CPU engine, SIMD against scalar, at the paper's widths (d_mlp 512, 114 logits):
 * one head of one example forward ({@code gatherHead}) and backward ({@code backwardHead}), reading rows of tables
 * as large as the engine's (908 slots) at random, and the float64 exponentials of one example's logits.
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

    /** d_mlp; the logit rows are 114 wide. */
    @Param({"512"})
    public int width;

    private Ops ops;
    private float[] table;
    private float[] row;
    private double[] exps;
    private float[] gradTable;
    private float[] smallTable;
    private float[] gradSmallTable;
    private final float[] small = new float[114];
    private final float[] logits = new float[114];
    private final float[] rowAlpha = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f};
    private final int[] rowSlot = new int[8];
    private final float[] out8 = new float[8];
    private float[] pre;
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
        pre = new float[width];
        gradTable = new float[908 * width];
        smallTable = new float[908 * 114];
        gradSmallTable = new float[908 * 114];
        slots = new int[4096];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = rnd.nextInt(908);
        }
    }

    private int next() {
        cursor = (cursor + 8) & 4095;
        return cursor;
    }

    /** One example's forward gather at the paper's shape: 8 rows (4 heads x positions 0 and 1). */
    @Benchmark
    public float[] gatherRow() {
        int c = next();
        for (int k = 0; k < 8; k++) {
            rowSlot[k] = slots[c + k & 4095];
        }
        ops.gatherRow(width, 114, 8, rowAlpha, 0, rowSlot, 0, table, smallTable, row, small, pre, 0, logits, 0);
        return pre;
    }

    /** One example's backward pass at the paper's shape. */
    @Benchmark
    public float[] backwardRow() {
        int c = next();
        for (int k = 0; k < 8; k++) {
            rowSlot[k] = slots[c + k & 4095];
        }
        ops.backwardRow(width, 114, 8, rowAlpha, 0, rowSlot, 0, row, 0, small, 0, table, smallTable, gradTable,
                gradSmallTable, out8);
        return out8;
    }

    @Benchmark
    public double expShifted() {
        return ops.expShifted(width, row, 0, 3.0, exps);
    }
}
