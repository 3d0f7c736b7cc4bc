package io.jgrok.optim;

import io.jgrok.config.RunConfig;

/**
 * PyTorch's AdamW (single-tensor path), elementwise over the flat buffers, in float32 with scalars computed in
 * double, as torch does:
 * <pre>
 *   p = p * (1 - lr*wd)
 *   m = b1*m + (1 - b1)*g
 *   v = b2*v + (1 - b2)*g*g
 *   p = p - lr/(1 - b1^t) * m / (sqrt(v)/sqrt(1 - b2^t) + eps)
 * </pre>
 * with t the step count after this step and lr from the warmup schedule ({@link RunConfig#lrAtStep}). The first
 * step of the paper's schedule runs at lr 0: the weights do not move but m, v and t do.
 */
public final class AdamW {
    private AdamW() {
    }

    /** Per-step scalars, shared by the CPU loop and the CUDA kernel's arguments. */
    public record Scalars(float decay, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                          float stepSize, float biasCorrection2Sqrt, float eps) {
    }

    /** Scalars of optimiser step {@code step} (1-based). */
    public static Scalars scalars(RunConfig c, long step) {
        double lr = c.lrAtStep(step);
        double bc1 = 1.0 - Math.pow(c.beta1(), step);
        double bc2 = 1.0 - Math.pow(c.beta2(), step);
        return new Scalars((float) (1.0 - lr * c.weightDecay()), (float) c.beta1(), (float) (1.0 - c.beta1()),
                (float) c.beta2(), (float) (1.0 - c.beta2()), (float) (lr / bc1), (float) Math.sqrt(bc2),
                (float) c.adamEps());
    }

    /** Applies one step to elements [from, to). */
    public static void apply(Scalars s, float[] p, float[] g, float[] m, float[] v, int from, int to) {
        for (int i = from; i < to; i++) {
            float gi = g[i];
            float mi = m[i] * s.beta1() + gi * s.oneMinusBeta1();
            float vi = v[i] * s.beta2() + s.oneMinusBeta2() * gi * gi;
            m[i] = mi;
            v[i] = vi;
            float denom = (float) Math.sqrt(vi) / s.biasCorrection2Sqrt() + s.eps();
            p[i] = p[i] * s.decay() - s.stepSize() * (mi / denom);
        }
    }
}
