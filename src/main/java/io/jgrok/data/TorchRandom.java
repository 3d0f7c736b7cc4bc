package io.jgrok.data;

/**
 * PyTorch's CPU {@code randperm} after {@code torch.manual_seed(seed)}, as the TransformerLens demo uses it for its
 * split: the CPU generator is MT19937 seeded with {@code init_genrand(seed & 0xffffffff)}, and randperm swaps
 * r[i] with r[i + (random() % (n - i))] for i = 0 .. n-2, drawing one 32-bit output per swap.
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
