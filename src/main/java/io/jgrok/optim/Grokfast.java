package io.jgrok.optim;

import io.jgrok.config.RunConfig;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Grokfast gradient filters (Lee et al. 2024, "Grokfast: Accelerated Grokking by Amplifying Slow Gradients"),
 * applied to the gradient before AdamW, in float32:
 * <ul>
 *   <li>EMA: mu = alpha*mu + (1 - alpha)*g, with mu starting at the first gradient; AdamW sees g + lambda*mu.</li>
 *   <li>MA: mu = mean of the last {@code window} gradients (current included); AdamW sees g + lambda*mu once the
 *       window is full, and g unchanged before that (the reference code's default warmup).</li>
 * </ul>
 * The filter state is part of {@link io.jgrok.model.TrainingState}, so a resumed run continues bit-for-bit.
 */
public abstract class Grokfast {

    /** Replaces {@code grad} by the filtered gradient and updates the filter state. */
    public abstract void filter(float[] grad);

    /** The filter state, oldest first (copies). */
    public abstract float[][] snapshot();

    public static Grokfast restore(RunConfig config, float[][] state, int size) {
        return switch (config.grokfast()) {
            case NONE -> new None();
            case EMA -> new Ema((float) config.grokfastAlpha(), (float) config.grokfastLambda(),
                    state.length == 0 ? null : state[0].clone());
            case MA -> new MovingAverage(config.grokfastWindow(), (float) config.grokfastLambda(), state);
        };
    }

    private static final class None extends Grokfast {
        @Override
        public void filter(float[] grad) {
        }

        @Override
        public float[][] snapshot() {
            return new float[0][];
        }
    }

    static final class Ema extends Grokfast {
        private final float alpha;
        private final float lambda;
        private float[] mu;

        Ema(float alpha, float lambda, float[] mu) {
            this.alpha = alpha;
            this.lambda = lambda;
            this.mu = mu;
        }

        @Override
        public void filter(float[] grad) {
            if (mu == null) {
                mu = grad.clone();
            }
            float oneMinusAlpha = 1f - alpha;
            for (int i = 0; i < grad.length; i++) {
                float m = mu[i] * alpha + grad[i] * oneMinusAlpha;
                mu[i] = m;
                grad[i] = grad[i] + m * lambda;
            }
        }

        @Override
        public float[][] snapshot() {
            return mu == null ? new float[0][] : new float[][] {mu.clone()};
        }
    }

    static final class MovingAverage extends Grokfast {
        private final int window;
        private final float lambda;
        private final Deque<float[]> recent = new ArrayDeque<>();

        MovingAverage(int window, float lambda, float[][] state) {
            this.window = window;
            this.lambda = lambda;
            for (float[] g : state) {
                recent.addLast(g.clone());
            }
        }

        @Override
        public void filter(float[] grad) {
            recent.addLast(grad.clone());
            if (recent.size() > window) {
                recent.removeFirst();
            }
            if (recent.size() < window) {
                return;
            }
            float[] sum = new float[grad.length];
            for (float[] g : recent) {
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += g[i];
                }
            }
            for (int i = 0; i < grad.length; i++) {
                grad[i] = grad[i] + sum[i] / window * lambda;
            }
        }

        @Override
        public float[][] snapshot() {
            float[][] out = new float[recent.size()][];
            int i = 0;
            for (float[] g : recent) {
                out[i++] = g.clone();
            }
            return out;
        }
    }
}
