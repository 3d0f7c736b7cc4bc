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
     * Forward gather of one head of one example: adds its three attention-weighted table rows (rows s0, s1, s2 of
     * each table, weights a0, a1, a2) to the MLP input {@code pre[po..po+m)} and to the logits
     * {@code lg[lo..lo+v)}.
     *
     * <p>Kept at this size on purpose: HotSpot (JDK 17) does not inline methods above 325 bytes of bytecode, and the
     * Vector API intrinsics are only reliable when these loops are compiled on their own (inlined into the engine's
     * large block methods, C2 fell back to boxed vectors: 3x slower).
     */
    void gatherHead(int m, int v, float a0, float a1, float a2, int s0, int s1, int s2, float[] voi, float[] vou,
                    float[] pre, int po, float[] lg, int lo);

    /**
     * Backward pass of one head of one example: {@code out[k] = dpre . VOI[sk] + g . VOU[sk]} (the gradient
     * w.r.t. attention weight k), and scatters {@code ak * dpre} into dVOI[sk] and {@code ak * g} into dVOU[sk].
     * Sized like {@link #gatherHead} for the same reason.
     */
    void backwardHead(int m, int v, float a0, float a1, float a2, int s0, int s1, int s2, float[] dpre, int dpo,
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
