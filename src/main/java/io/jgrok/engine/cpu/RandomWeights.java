package io.jgrok.engine.cpu;

import io.jgrok.model.ParamLayout;

import java.util.Random;

/** Random parameters and examples for the checks (gaps between tensors stay zero, as in real buffers). */
public final class RandomWeights {
    private RandomWeights() {
    }

    public static double[] doubles(ParamLayout layout, Random rnd, double scale) {
        double[] w = new double[layout.size()];
        for (ParamLayout.Tensor t : layout.tensors()) {
            // Larger than the paper's init so that attention is far from uniform and ReLUs are mixed.
            double std = 2 * scale / Math.sqrt(layout.dModel);
            for (int i = t.offset(); i < t.end(); i++) {
                w[i] = std * rnd.nextGaussian();
            }
        }
        return w;
    }

    public static float[] floats(ParamLayout layout, Random rnd, double scale) {
        double[] d = doubles(layout, rnd, scale);
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    public static double[] widen(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** n distinct random pair indices. */
    public static int[] examples(int p, int n, Random rnd) {
        int total = p * p;
        int[] all = new int[total];
        for (int i = 0; i < total; i++) {
            all[i] = i;
        }
        for (int i = total - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return java.util.Arrays.copyOf(all, Math.min(n, total));
    }
}
