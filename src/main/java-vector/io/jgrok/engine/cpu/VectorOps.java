package io.jgrok.engine.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Ops} with the Vector API (jdk.incubator.vector), at the machine's preferred width. Compiled separately
 * (src/main/java-vector, see pom.xml) because the incubator module cannot be combined with {@code --release}; only
 * loaded when the module is present.
 */
public final class VectorOps implements Ops {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Floats that widen to one double vector. */
    private static final VectorSpecies<Float> F_HALF = VectorSpecies.of(float.class,
            jdk.incubator.vector.VectorShape.forBitSize(D.vectorBitSize() / 2));

    @Override
    public void axpy(int n, float a, float[] x, int xo, float[] y, int yo) {
        FloatVector va = FloatVector.broadcast(F, a);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, x, xo + i).fma(va, FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += a * x[xo + i];
        }
    }

    @Override
    public float dot(int n, float[] x, int xo, float[] y, int yo) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int step = F.length();
        int i = 0;
        for (int bound = n - 2 * step; i <= bound; i += 2 * step) {
            acc0 = FloatVector.fromArray(F, x, xo + i).fma(FloatVector.fromArray(F, y, yo + i), acc0);
            acc1 = FloatVector.fromArray(F, x, xo + i + step).fma(FloatVector.fromArray(F, y, yo + i + step), acc1);
        }
        for (int bound = F.loopBound(n); i < bound; i += step) {
            acc0 = FloatVector.fromArray(F, x, xo + i).fma(FloatVector.fromArray(F, y, yo + i), acc0);
        }
        float s = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += x[xo + i] * y[yo + i];
        }
        return s;
    }

    @Override
    public void gatherRow(int m, int v, int count, float[] alpha, int ao, int[] slot, int so, float[] voi,
                          float[] vou, float[] c, float[] base, float[] pre, int po, float[] lg, int lo) {
        if (count == 8) {
            gatherRow8(m, alpha, ao, slot, so, voi, c, pre, po);
            gatherRow8(v, alpha, ao, slot, so, vou, base, lg, lo);
            return;
        }
        gatherRowAny(m, count, alpha, ao, slot, so, voi, c, pre, po);
        gatherRowAny(v, count, alpha, ao, slot, so, vou, base, lg, lo);
    }

    /** Eight table rows (four heads, two positions: the paper's shape), unrolled so the weights stay in registers. */
    private static void gatherRow8(int width, float[] alpha, int ao, int[] slot, int so, float[] table, float[] init,
                                   float[] dst, int dOff) {
        FloatVector b0 = FloatVector.broadcast(F, alpha[ao + 0]);
        FloatVector b1 = FloatVector.broadcast(F, alpha[ao + 1]);
        FloatVector b2 = FloatVector.broadcast(F, alpha[ao + 2]);
        FloatVector b3 = FloatVector.broadcast(F, alpha[ao + 3]);
        FloatVector b4 = FloatVector.broadcast(F, alpha[ao + 4]);
        FloatVector b5 = FloatVector.broadcast(F, alpha[ao + 5]);
        FloatVector b6 = FloatVector.broadcast(F, alpha[ao + 6]);
        FloatVector b7 = FloatVector.broadcast(F, alpha[ao + 7]);
        int o0 = slot[so + 0] * width;
        int o1 = slot[so + 1] * width;
        int o2 = slot[so + 2] * width;
        int o3 = slot[so + 3] * width;
        int o4 = slot[so + 4] * width;
        int o5 = slot[so + 5] * width;
        int o6 = slot[so + 6] * width;
        int o7 = slot[so + 7] * width;
        int i = 0;
        for (int bound = F.loopBound(width); i < bound; i += F.length()) {
            FloatVector acc = FloatVector.fromArray(F, init, i);
            acc = FloatVector.fromArray(F, table, o0 + i).fma(b0, acc);
            acc = FloatVector.fromArray(F, table, o1 + i).fma(b1, acc);
            acc = FloatVector.fromArray(F, table, o2 + i).fma(b2, acc);
            acc = FloatVector.fromArray(F, table, o3 + i).fma(b3, acc);
            acc = FloatVector.fromArray(F, table, o4 + i).fma(b4, acc);
            acc = FloatVector.fromArray(F, table, o5 + i).fma(b5, acc);
            acc = FloatVector.fromArray(F, table, o6 + i).fma(b6, acc);
            acc = FloatVector.fromArray(F, table, o7 + i).fma(b7, acc);
            acc.intoArray(dst, dOff + i);
        }
        for (; i < width; i++) {
            float t = init[i];
            for (int k = 0; k < 8; k++) {
                t += alpha[ao + k] * table[slot[so + k] * width + i];
            }
            dst[dOff + i] = t;
        }
    }

    private static void gatherRowAny(int width, int count, float[] alpha, int ao, int[] slot, int so, float[] table,
                                     float[] init, float[] dst, int dOff) {
        int i = 0;
        for (int bound = F.loopBound(width); i < bound; i += F.length()) {
            FloatVector acc = FloatVector.fromArray(F, init, i);
            for (int k = 0; k < count; k++) {
                acc = FloatVector.fromArray(F, table, slot[so + k] * width + i)
                        .fma(FloatVector.broadcast(F, alpha[ao + k]), acc);
            }
            acc.intoArray(dst, dOff + i);
        }
        for (; i < width; i++) {
            float t = init[i];
            for (int k = 0; k < count; k++) {
                t += alpha[ao + k] * table[slot[so + k] * width + i];
            }
            dst[dOff + i] = t;
        }
    }

    @Override
    public void backwardRow(int m, int v, int count, float[] alpha, int ao, int[] slot, int so, float[] dpre,
                            int dpo, float[] g, int go, float[] voi, float[] vou, float[] dVoi, float[] dVou,
                            float[] out) {
        java.util.Arrays.fill(out, 0, count, 0f);
        if (count == 8) {
            backwardRow8(m, alpha, ao, slot, so, dpre, dpo, voi, dVoi, out);
            backwardRow8(v, alpha, ao, slot, so, g, go, vou, dVou, out);
            return;
        }
        for (int k = 0; k < count; k++) {
            int s = slot[so + k];
            out[k] = dot(m, dpre, dpo, voi, s * m) + dot(v, g, go, vou, s * v);
            axpy(m, alpha[ao + k], dpre, dpo, dVoi, s * m);
            axpy(v, alpha[ao + k], g, go, dVou, s * v);
        }
    }

    /** Eight table rows: dots and scatters share one pass over x. Adds the dots to out[0..8). */
    private static void backwardRow8(int width, float[] alpha, int ao, int[] slot, int so, float[] x0, int xo,
                                     float[] table, float[] dTable, float[] out) {
        FloatVector b0 = FloatVector.broadcast(F, alpha[ao + 0]);
        FloatVector b1 = FloatVector.broadcast(F, alpha[ao + 1]);
        FloatVector b2 = FloatVector.broadcast(F, alpha[ao + 2]);
        FloatVector b3 = FloatVector.broadcast(F, alpha[ao + 3]);
        FloatVector b4 = FloatVector.broadcast(F, alpha[ao + 4]);
        FloatVector b5 = FloatVector.broadcast(F, alpha[ao + 5]);
        FloatVector b6 = FloatVector.broadcast(F, alpha[ao + 6]);
        FloatVector b7 = FloatVector.broadcast(F, alpha[ao + 7]);
        {
            int o0 = slot[so + 0] * width;
            int o1 = slot[so + 1] * width;
            int o2 = slot[so + 2] * width;
            int o3 = slot[so + 3] * width;
            int o4 = slot[so + 4] * width;
            int o5 = slot[so + 5] * width;
            int o6 = slot[so + 6] * width;
            int o7 = slot[so + 7] * width;
            FloatVector d0 = FloatVector.zero(F);
            FloatVector d1 = FloatVector.zero(F);
            FloatVector d2 = FloatVector.zero(F);
            FloatVector d3 = FloatVector.zero(F);
            FloatVector d4 = FloatVector.zero(F);
            FloatVector d5 = FloatVector.zero(F);
            FloatVector d6 = FloatVector.zero(F);
            FloatVector d7 = FloatVector.zero(F);
            int i = 0;
            for (int bound = F.loopBound(width); i < bound; i += F.length()) {
                FloatVector x = FloatVector.fromArray(F, x0, xo + i);
                d0 = x.fma(FloatVector.fromArray(F, table, o0 + i), d0);
                x.fma(b0, FloatVector.fromArray(F, dTable, o0 + i)).intoArray(dTable, o0 + i);
                d1 = x.fma(FloatVector.fromArray(F, table, o1 + i), d1);
                x.fma(b1, FloatVector.fromArray(F, dTable, o1 + i)).intoArray(dTable, o1 + i);
                d2 = x.fma(FloatVector.fromArray(F, table, o2 + i), d2);
                x.fma(b2, FloatVector.fromArray(F, dTable, o2 + i)).intoArray(dTable, o2 + i);
                d3 = x.fma(FloatVector.fromArray(F, table, o3 + i), d3);
                x.fma(b3, FloatVector.fromArray(F, dTable, o3 + i)).intoArray(dTable, o3 + i);
                d4 = x.fma(FloatVector.fromArray(F, table, o4 + i), d4);
                x.fma(b4, FloatVector.fromArray(F, dTable, o4 + i)).intoArray(dTable, o4 + i);
                d5 = x.fma(FloatVector.fromArray(F, table, o5 + i), d5);
                x.fma(b5, FloatVector.fromArray(F, dTable, o5 + i)).intoArray(dTable, o5 + i);
                d6 = x.fma(FloatVector.fromArray(F, table, o6 + i), d6);
                x.fma(b6, FloatVector.fromArray(F, dTable, o6 + i)).intoArray(dTable, o6 + i);
                d7 = x.fma(FloatVector.fromArray(F, table, o7 + i), d7);
                x.fma(b7, FloatVector.fromArray(F, dTable, o7 + i)).intoArray(dTable, o7 + i);
            }
            float r0 = d0.reduceLanes(VectorOperators.ADD);
            float r1 = d1.reduceLanes(VectorOperators.ADD);
            float r2 = d2.reduceLanes(VectorOperators.ADD);
            float r3 = d3.reduceLanes(VectorOperators.ADD);
            float r4 = d4.reduceLanes(VectorOperators.ADD);
            float r5 = d5.reduceLanes(VectorOperators.ADD);
            float r6 = d6.reduceLanes(VectorOperators.ADD);
            float r7 = d7.reduceLanes(VectorOperators.ADD);
            for (; i < width; i++) {
                float xi = x0[xo + i];
                r0 += xi * table[o0 + i];
                dTable[o0 + i] += alpha[ao + 0] * xi;
                r1 += xi * table[o1 + i];
                dTable[o1 + i] += alpha[ao + 1] * xi;
                r2 += xi * table[o2 + i];
                dTable[o2 + i] += alpha[ao + 2] * xi;
                r3 += xi * table[o3 + i];
                dTable[o3 + i] += alpha[ao + 3] * xi;
                r4 += xi * table[o4 + i];
                dTable[o4 + i] += alpha[ao + 4] * xi;
                r5 += xi * table[o5 + i];
                dTable[o5 + i] += alpha[ao + 5] * xi;
                r6 += xi * table[o6 + i];
                dTable[o6 + i] += alpha[ao + 6] * xi;
                r7 += xi * table[o7 + i];
                dTable[o7 + i] += alpha[ao + 7] * xi;
            }
            out[0] += r0;
            out[1] += r1;
            out[2] += r2;
            out[3] += r3;
            out[4] += r4;
            out[5] += r5;
            out[6] += r6;
            out[7] += r7;
        }
    }

    @Override
    public void relu(int n, float[] src, int so, float[] dst, int dOff) {
        FloatVector zero = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, src, so + i).max(zero).intoArray(dst, dOff + i);
        }
        for (; i < n; i++) {
            float v = src[so + i];
            dst[dOff + i] = v > 0f ? v : 0f;
        }
    }

    @Override
    public void maskNonPositive(int n, float[] g, int go, float[] pre, int po) {
        FloatVector zero = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            VectorMask<Float> active = FloatVector.fromArray(F, pre, po + i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(F, g, go + i), active).intoArray(g, go + i);
        }
        for (; i < n; i++) {
            if (!(pre[po + i] > 0f)) {
                g[go + i] = 0f;
            }
        }
    }

    @Override
    public float max(int n, float[] x, int xo) {
        int i = 0;
        float m = Float.NEGATIVE_INFINITY;
        int bound = F.loopBound(n);
        if (bound > 0) {
            FloatVector acc = FloatVector.fromArray(F, x, xo);
            for (i = F.length(); i < bound; i += F.length()) {
                acc = acc.max(FloatVector.fromArray(F, x, xo + i));
            }
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            m = Math.max(m, x[xo + i]);
        }
        return m;
    }

    @Override
    public double expShifted(int n, float[] x, int xo, double shift, double[] out) {
        // Widen half-width float vectors to full double vectors; exp runs on the doubles.
        DoubleVector sum = DoubleVector.zero(D);
        int step = D.length();
        int i = 0;
        for (int bound = D.loopBound(n); i < bound; i += step) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo + i)
                    .convertShape(VectorOperators.F2D, D, 0);
            DoubleVector e = exp(v.sub(shift));
            e.intoArray(out, i);
            sum = sum.add(e);
        }
        double s = sum.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            double e = Exp64.exp(x[xo + i] - shift);
            out[i] = e;
            s += e;
        }
        return s;
    }

    /** {@link Exp64#exp}, lane by lane, with the same operations in the same order (so the same bits). */
    private static DoubleVector exp(DoubleVector x) {
        DoubleVector xc = x.max(Exp64.MIN_X).min(Exp64.MAX_X);
        DoubleVector rounder = DoubleVector.broadcast(D, Exp64.ROUNDER);
        DoubleVector t = xc.fma(DoubleVector.broadcast(D, Exp64.LOG2E), rounder);
        DoubleVector k = t.sub(rounder);
        DoubleVector negK = k.neg();
        DoubleVector r = negK.fma(DoubleVector.broadcast(D, Exp64.LN2_HI), xc);
        r = negK.fma(DoubleVector.broadcast(D, Exp64.LN2_LO), r);
        DoubleVector poly = DoubleVector.broadcast(D, Exp64.COEFFS[0]);
        for (int i = 1; i < Exp64.COEFFS.length; i++) {
            poly = poly.fma(r, DoubleVector.broadcast(D, Exp64.COEFFS[i]));
        }
        LongVector kBits = t.reinterpretAsLongs().sub(Double.doubleToRawLongBits(Exp64.ROUNDER));
        DoubleVector scale = kBits.add(1023L).lanewise(VectorOperators.LSHL, 52L).reinterpretAsDoubles();
        return poly.mul(scale);
    }

    @Override
    public String describe() {
        return "Vector API, " + F.vectorBitSize() + "-bit";
    }
}
