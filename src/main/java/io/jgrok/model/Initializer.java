package io.jgrok.model;

import io.jgrok.config.InitScheme;
import io.jgrok.config.RunConfig;

/**
 * Seeded weight initialisation. The paper's code seeds nothing, so its init is not reproducible; ours is, with
 * this documented generator: tensor number i (layout order, from 0) draws from its own xoshiro256** stream whose
 * state is filled by SplitMix64 from {@code seed * 0x9E3779B97F4A7C15 + i}; standard normals come from Box-Muller in
 * double (two per pair of uniforms in (0, 1]), scaled by the tensor's std and rounded to float32. One stream per
 * tensor keeps each tensor's values independent of the others' sizes.
 */
public final class Initializer {
    private Initializer() {
    }

    /** Standard deviation of a tensor's init (0 for biases). */
    public static double stdOf(String name, RunConfig config) {
        if (name.equals(ParamLayout.B_IN) || name.equals(ParamLayout.B_OUT)) {
            return 0.0;
        }
        if (config.init() == InitScheme.TL_DEMO) {
            return 0.8 / Math.sqrt(config.dModel());
        }
        if (name.equals(ParamLayout.W_U)) {
            return 1.0 / Math.sqrt(config.vocabIn());
        }
        return 1.0 / Math.sqrt(config.dModel());
    }

    public static float[] initialParameters(RunConfig config) {
        ParamLayout layout = new ParamLayout(config);
        float[] params = new float[layout.size()];
        int index = 0;
        for (ParamLayout.Tensor t : layout.tensors()) {
            double std = stdOf(t.name(), config);
            if (std > 0) {
                NormalStream normals = new NormalStream(config.seed() * 0x9E3779B97F4A7C15L + index);
                for (int i = t.offset(); i < t.end(); i++) {
                    params[i] = (float) (std * normals.next());
                }
            }
            index++;
        }
        return params;
    }

    /** xoshiro256** (Blackman and Vigna) with Box-Muller normals. */
    static final class NormalStream {
        private long s0;
        private long s1;
        private long s2;
        private long s3;
        private double spare;
        private boolean hasSpare;

        NormalStream(long seed) {
            long x = seed;
            x += 0x9E3779B97F4A7C15L;
            s0 = mix(x);
            x += 0x9E3779B97F4A7C15L;
            s1 = mix(x);
            x += 0x9E3779B97F4A7C15L;
            s2 = mix(x);
            x += 0x9E3779B97F4A7C15L;
            s3 = mix(x);
        }

        private static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        long nextLong() {
            long result = Long.rotateLeft(s1 * 5, 7) * 9;
            long t = s1 << 17;
            s2 ^= s0;
            s3 ^= s1;
            s1 ^= s2;
            s0 ^= s3;
            s2 ^= t;
            s3 = Long.rotateLeft(s3, 45);
            return result;
        }

        /** Uniform in (0, 1]: 53 random bits, shifted off zero so that log() is finite. */
        double nextUniformOpenZero() {
            return ((nextLong() >>> 11) + 1) * 0x1.0p-53;
        }

        double next() {
            if (hasSpare) {
                hasSpare = false;
                return spare;
            }
            double u1 = nextUniformOpenZero();
            double u2 = nextUniformOpenZero();
            double r = Math.sqrt(-2.0 * Math.log(u1));
            double theta = 2.0 * Math.PI * u2;
            spare = r * Math.sin(theta);
            hasSpare = true;
            return r * Math.cos(theta);
        }
    }
}
