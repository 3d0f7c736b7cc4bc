package io.jgrok.data;

/**
 * PyTorch's CPU {@code randperm} after {@code torch.manual_seed(seed)}, as the TransformerLens demo uses it for its
 * split: the CPU generator is MT19937 seeded with {@code init_genrand(seed & 0xffffffff)}, and randperm swaps
 * r[i] with r[i + (random() % (n - i))] for i = 0 .. n-2, drawing one 32-bit output per swap.
 *
 * <p>Checked against PyTorch 1.13 (TorchRandomTest: seeds 0, 1, 42, 598, 2^31, 2^32 + 598, -1; n from 1 to 50,000).
 * PyTorch's CPU randperm has used this algorithm from the 1.x releases on; a change of January 2025 (pytorch PR
 * 143682, relanded as 144735) switched to a 64-bit "inside-out" Fisher-Yates, but only for n >= 2^32 / 20
 * (214,748,364), which this class does not reproduce. The demo's n = 113^2 = 12,769 is far below that, so its
 * split is the same under every PyTorch version.
 */
public final class TorchRandom {
    private TorchRandom() {
    }

    public static int[] randperm(int n, long seed) {
        Mt19937 mt = Mt19937.fromSeed((int) seed);
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        for (int i = 0; i < n - 1; i++) {
            int z = (int) (mt.nextUint32() % (n - i));
            int t = r[i];
            r[i] = r[z + i];
            r[z + i] = t;
        }
        return r;
    }
}
