package io.jgrok.engine.device;

/**
 * For a fixed list of train examples (flat pair indices a*p + b), the positions of the examples that use each token
 * row, in increasing position order, as CSR arrays: row r < p lists the examples with a = r, row p + t those with
 * b = t. backward_scatter gives each token row one block that sums its examples in this order, so the table
 * gradients need no float atomics and come out the same on every run. Built once per train set, on the host.
 *
 * @param rowStart [2p + 1]: row r's positions are items[rowStart[r] .. rowStart[r + 1])
 * @param items    [2n]: example positions
 */
record TokenLists(int[] rowStart, int[] items) {

    static TokenLists of(int[] examples, int p) {
        int rows = 2 * p;
        int[] count = new int[rows + 1];
        for (int idx : examples) {
            count[idx / p + 1]++;
            count[p + idx % p + 1]++;
        }
        for (int r = 0; r < rows; r++) {
            count[r + 1] += count[r];
        }
        int[] start = count.clone();
        int[] next = count.clone();
        int[] items = new int[2 * examples.length];
        for (int i = 0; i < examples.length; i++) {
            int idx = examples[i];
            if (idx < 0 || idx >= p * p) {
                throw new IllegalArgumentException("example " + idx + " is not a pair index of p = " + p);
            }
            items[next[idx / p]++] = i;
            items[next[p + idx % p]++] = i;
        }
        return new TokenLists(start, items);
    }
}
