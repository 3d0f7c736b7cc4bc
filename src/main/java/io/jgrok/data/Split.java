package io.jgrok.data;

import io.jgrok.UserError;
import io.jgrok.config.RunConfig;

import java.util.Arrays;

/**
 * The train/test split of the p^2 pairs (a, b), each identified by its flat index a*p + b; both lists are in
 * shuffled order, as the paper's code keeps them. Immutable.
 */
public final class Split {
    private final int p;
    private final int[] train;
    private final int[] test;

    private Split(int p, int[] train, int[] test) {
        this.p = p;
        this.train = train;
        this.test = test;
    }

    /** The split a config asks for (the paper's Python shuffle, or the TransformerLens torch randperm). */
    public static Split of(RunConfig config) {
        int n = config.p() * config.p();
        int[] order;
        switch (config.split()) {
            case PYTHON_SHUFFLE -> {
                order = new int[n];
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                new PythonRandom(config.dataSeed()).shuffle(order);
            }
            case TORCH_RANDPERM -> order = TorchRandom.randperm(n, config.dataSeed());
            default -> throw new IllegalStateException("unknown split " + config.split());
        }
        int cut = config.trainSize();
        return new Split(config.p(), Arrays.copyOfRange(order, 0, cut), Arrays.copyOfRange(order, cut, n));
    }

    /**
     * A split from given training indices (e.g. {@code --split_file}); the test set is every other pair in
     * increasing order. Rejects out-of-range and duplicate indices.
     */
    public static Split fromTrainIndices(int p, int[] trainIndices, String source) {
        int n = p * p;
        boolean[] seen = new boolean[n];
        for (int idx : trainIndices) {
            if (idx < 0 || idx >= n) {
                throw new UserError(source + ": train index " + idx + " is out of range; indices must be in 0.."
                        + (n - 1) + " (a*p + b with p = " + p + ")");
            }
            if (seen[idx]) {
                throw new UserError(source + ": train index " + idx + " appears more than once; indices must be "
                        + "distinct");
            }
            seen[idx] = true;
        }
        if (trainIndices.length == 0 || trainIndices.length == n) {
            throw new UserError(source + ": has " + trainIndices.length + " train indices; need between 1 and "
                    + (n - 1) + " so that train and test are both non-empty");
        }
        int[] test = new int[n - trainIndices.length];
        int t = 0;
        for (int i = 0; i < n; i++) {
            if (!seen[i]) {
                test[t++] = i;
            }
        }
        return new Split(p, trainIndices.clone(), test);
    }

    /** A split with both lists given explicitly (e.g. read back from split.json); validated like the above. */
    public static Split of(int p, int[] trainIndices, int[] testIndices, String source) {
        Split fromTrain = fromTrainIndices(p, trainIndices, source);
        int[] sortedTest = testIndices.clone();
        Arrays.sort(sortedTest);
        if (!Arrays.equals(sortedTest, fromTrain.test)) {
            throw new UserError(source + ": test_indices must be exactly the pairs not in train_indices");
        }
        return new Split(p, trainIndices.clone(), testIndices.clone());
    }

    public int p() {
        return p;
    }

    /** Training indices in shuffled order (a copy). */
    public int[] train() {
        return train.clone();
    }

    /** Test indices (a copy). */
    public int[] test() {
        return test.clone();
    }

    public int trainSize() {
        return train.length;
    }

    public int testSize() {
        return test.length;
    }

    public static int a(int index, int p) {
        return index / p;
    }

    public static int b(int index, int p) {
        return index % p;
    }

    public static int label(int index, int p) {
        return (index / p + index % p) % p;
    }
}
