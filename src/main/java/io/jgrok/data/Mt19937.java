package io.jgrok.data;

/**
 * The Mersenne Twister MT19937 (Matsumoto and Nishimura 1998), 32-bit outputs, with both standard seedings:
 * {@code init_genrand} (used by PyTorch's CPU generator) and {@code init_by_array} (used by CPython's
 * {@code random.seed}). Port of the reference algorithm; checked against CPython and PyTorch outputs in tests.
 */
final class Mt19937 {
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] mt = new int[N];
    private int mti = N + 1;

    /** Reference {@code init_genrand(s)}. */
    static Mt19937 fromSeed(int seed) {
        Mt19937 g = new Mt19937();
        g.initGenrand(seed);
        return g;
    }

    /** Reference {@code init_by_array(key)}. */
    static Mt19937 fromKey(int[] key) {
        Mt19937 g = new Mt19937();
        g.initGenrand(19650218);
        int i = 1;
        int j = 0;
        int k = Math.max(N, key.length);
        for (; k > 0; k--) {
            int prev = g.mt[i - 1];
            g.mt[i] = (g.mt[i] ^ ((prev ^ (prev >>> 30)) * 1664525)) + key[j] + j;
            i++;
            j++;
            if (i >= N) {
                g.mt[0] = g.mt[N - 1];
                i = 1;
            }
            if (j >= key.length) {
                j = 0;
            }
        }
        for (k = N - 1; k > 0; k--) {
            int prev = g.mt[i - 1];
            g.mt[i] = (g.mt[i] ^ ((prev ^ (prev >>> 30)) * 1566083941)) - i;
            i++;
            if (i >= N) {
                g.mt[0] = g.mt[N - 1];
                i = 1;
            }
        }
        g.mt[0] = 0x80000000;
        return g;
    }

    private void initGenrand(int s) {
        mt[0] = s;
        for (mti = 1; mti < N; mti++) {
            int prev = mt[mti - 1];
            mt[mti] = 1812433253 * (prev ^ (prev >>> 30)) + mti;
        }
    }

    /** Next 32 random bits, as an unsigned value in a long. */
    long nextUint32() {
        if (mti >= N) {
            int kk;
            for (kk = 0; kk < N - M; kk++) {
                int y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
                mt[kk] = mt[kk + M] ^ (y >>> 1) ^ ((y & 1) != 0 ? MATRIX_A : 0);
            }
            for (; kk < N - 1; kk++) {
                int y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
                mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ ((y & 1) != 0 ? MATRIX_A : 0);
            }
            int y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
            mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ ((y & 1) != 0 ? MATRIX_A : 0);
            mti = 0;
        }
        int y = mt[mti++];
        y ^= (y >>> 11);
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= (y >>> 18);
        return y & 0xffffffffL;
    }
}
