package io.jgrok.data;

import java.math.BigInteger;

/**
 * The parts of CPython's {@code random.Random} that the paper's split uses: {@code seed(int)}, {@code getrandbits}
 * (k <= 32), {@code _randbelow} and {@code shuffle}. Bit-for-bit equal to CPython 3.x for integer seeds.
 */
public final class PythonRandom {
    private final Mt19937 mt;

    /** {@code random.seed(seed)}: the key is |seed| split into 32-bit words, least significant first. */
    public PythonRandom(long seed) {
        BigInteger magnitude = BigInteger.valueOf(seed).abs();
        int words = Math.max(1, (magnitude.bitLength() + 31) / 32);
        int[] key = new int[words];
        for (int i = 0; i < words; i++) {
            key[i] = magnitude.shiftRight(32 * i).intValue();
        }
        this.mt = Mt19937.fromKey(key);
    }

    /** {@code getrandbits(k)} for 1 <= k <= 32: the top k bits of one 32-bit output. */
    public long getrandbits(int k) {
        if (k < 1 || k > 32) {
            throw new IllegalArgumentException("k must be in 1..32, got " + k);
        }
        return mt.nextUint32() >>> (32 - k);
    }

    /** {@code _randbelow_with_getrandbits(n)}: rejection sampling with n.bit_length() bits. */
    public int randbelow(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be positive, got " + n);
        }
        int k = 32 - Integer.numberOfLeadingZeros(n);
        long r = getrandbits(k);
        while (r >= n) {
            r = getrandbits(k);
        }
        return (int) r;
    }

    /** {@code shuffle(x)}: Fisher-Yates from the end, j = randbelow(i + 1). */
    public void shuffle(int[] x) {
        for (int i = x.length - 1; i >= 1; i--) {
            int j = randbelow(i + 1);
            int t = x[i];
            x[i] = x[j];
            x[j] = t;
        }
    }
}
