package io.jgrok.engine.cpu;

/**
 * The CPU engine's elementwise and reduction loops. HotSpot (JDK 17) does not auto-vectorize float reductions or
 * loops over two arrays at independent offsets, which is exactly what the per-example table gathers are; the
 * Vector API ({@code jdk.incubator.vector}) does, 3-5x faster here. So there are two implementations: {@code
 * VectorOps} when the JVM was started with {@code --add-modules jdk.incubator.vector} (the launcher does this), and
 * {@link ScalarOps}, plain Java, otherwise. Both compute the same quantities; summation order differs, so results
 * agree to float rounding (tested).
 */
public interface Ops {

    /** y[yo..yo+n) += a * x[xo..xo+n). */
    void axpy(int n, float a, float[] x, int xo, float[] y, int yo);

    /** Sum of x[xo+i] * y[yo+i], i < n. */
    float dot(int n, float[] x, int xo, float[] y, int yo);

    /**
     * Forward gather of one example: {@code pre[po..po+m) = c + sum_k alpha[ao+k] voi[slot[so+k]*m ..]} and
     * {@code lg[lo..lo+v) = base + sum_k alpha[ao+k] vou[slot[so+k]*v ..]} over k < count table rows.
     *
     * <p>Kept large on purpose: HotSpot (JDK 17) does not inline methods above 325 bytes of bytecode, and the
     * Vector API intrinsics are only reliable when these loops are compiled on their own (inlined into the engine's
     * large block methods, C2 fell back to boxed vectors: 3x slower).
     */
    void gatherRow(int m, int v, int count, float[] alpha, int ao, int[] slot, int so, float[] voi, float[] vou,
                   float[] c, float[] base, float[] pre, int po, float[] lg, int lo);

    /**
     * Backward pass of one example: {@code out[k] = dpre . voi[slot_k] + g . vou[slot_k]} (the gradient w.r.t.
     * alpha_k) and the scatters {@code dVoi[slot_k] += alpha_k dpre}, {@code dVou[slot_k] += alpha_k g}, for k <
     * count. Sized like {@link #gatherRow} for the same reason.
     */
    void backwardRow(int m, int v, int count, float[] alpha, int ao, int[] slot, int so, float[] dpre, int dpo,
                     float[] g, int go, float[] voi, float[] vou, float[] dVoi, float[] dVou, float[] out);

    /** dst[i] = max(src[i], 0). */
    void relu(int n, float[] src, int so, float[] dst, int dOff);

    /** g[i] = pre[i] > 0 ? g[i] : 0 (the ReLU's backward pass). */
    void maskNonPositive(int n, float[] g, int go, float[] pre, int po);

    /** Maximum of x[xo..xo+n), n >= 1. */
    float max(int n, float[] x, int xo);

    /** out[i] = exp((double) x[xo+i] - shift) in float64; returns the float64 sum of out[0..n). */
    double expShifted(int n, float[] x, int xo, double shift, double[] out);

    /** Name for banners: which implementation and vector width. */
    String describe();

    /** The fastest implementation this JVM can run. */
    static Ops best() {
        return OpsHolder.BEST;
    }

    /** Loads VectorOps reflectively so that the engine still runs when the incubator module is absent. */
    final class OpsHolder {
        static final Ops BEST = load();

        private OpsHolder() {
        }

        private static Ops load() {
            if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
                try {
                    return (Ops) Class.forName("io.jgrok.engine.cpu.VectorOps").getDeclaredConstructor()
                            .newInstance();
                } catch (ReflectiveOperationException | LinkageError e) {
                    return new ScalarOps();
                }
            }
            return new ScalarOps();
        }
    }
}
