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
    public void axpy3(int n, float a0, int o0, float a1, int o1, float a2, int o2, float[] t, float[] y, int yo) {
        FloatVector v0 = FloatVector.broadcast(F, a0);
        FloatVector v1 = FloatVector.broadcast(F, a1);
        FloatVector v2 = FloatVector.broadcast(F, a2);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector acc = FloatVector.fromArray(F, y, yo + i);
            acc = FloatVector.fromArray(F, t, o0 + i).fma(v0, acc);
            acc = FloatVector.fromArray(F, t, o1 + i).fma(v1, acc);
            acc = FloatVector.fromArray(F, t, o2 + i).fma(v2, acc);
            acc.intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += a0 * t[o0 + i] + a1 * t[o1 + i] + a2 * t[o2 + i];
        }
    }

    @Override
    public void dot3(int n, float[] x, int xo, float[] t, int o0, int o1, int o2, float[] out) {
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = FloatVector.zero(F);
        FloatVector s2 = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector xv = FloatVector.fromArray(F, x, xo + i);
            s0 = xv.fma(FloatVector.fromArray(F, t, o0 + i), s0);
            s1 = xv.fma(FloatVector.fromArray(F, t, o1 + i), s1);
            s2 = xv.fma(FloatVector.fromArray(F, t, o2 + i), s2);
        }
        float r0 = s0.reduceLanes(VectorOperators.ADD);
        float r1 = s1.reduceLanes(VectorOperators.ADD);
        float r2 = s2.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float xi = x[xo + i];
            r0 += xi * t[o0 + i];
            r1 += xi * t[o1 + i];
            r2 += xi * t[o2 + i];
        }
        out[0] = r0;
        out[1] = r1;
        out[2] = r2;
    }

    @Override
    public void scatter3(int n, float[] x, int xo, float a0, int o0, float a1, int o1, float a2, int o2, float[] t) {
        FloatVector v0 = FloatVector.broadcast(F, a0);
        FloatVector v1 = FloatVector.broadcast(F, a1);
        FloatVector v2 = FloatVector.broadcast(F, a2);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector xv = FloatVector.fromArray(F, x, xo + i);
            xv.fma(v0, FloatVector.fromArray(F, t, o0 + i)).intoArray(t, o0 + i);
            xv.fma(v1, FloatVector.fromArray(F, t, o1 + i)).intoArray(t, o1 + i);
            xv.fma(v2, FloatVector.fromArray(F, t, o2 + i)).intoArray(t, o2 + i);
        }
        for (; i < n; i++) {
            float xi = x[xo + i];
            t[o0 + i] += a0 * xi;
            t[o1 + i] += a1 * xi;
            t[o2 + i] += a2 * xi;
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
