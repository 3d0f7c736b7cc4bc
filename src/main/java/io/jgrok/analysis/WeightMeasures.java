package io.jgrok.analysis;

/**
 * Measures of one model's weights.
 *
 * @param embedRowNorms        norm over d_model of each row of F W_E (W_E without the {@code =} row), index = basis row
 * @param neuronLogitRowNorms  norm over neurons of each row of F W_L^T, W_L = W_out W_U[:, :p] ([d_mlp, p]),
 *                             index = basis row
 * @param giniEmbed            {@link Gini} of the per-frequency norms of W_E
 * @param giniNeuronLogit      {@link Gini} of the per-frequency norms of W_L
 * @param sumOfSquares         sum of squared weights over every parameter, biases included
 */
public record WeightMeasures(double[] embedRowNorms, double[] neuronLogitRowNorms, double giniEmbed,
                             double giniNeuronLogit, double sumOfSquares) {

    /** Completes the measures from row norms: the Gini coefficients are computed here, the same for every backend. */
    public static WeightMeasures of(FourierBasis basis, double[] embedRowNorms, double[] neuronLogitRowNorms,
                                    double sumOfSquares) {
        return new WeightMeasures(embedRowNorms, neuronLogitRowNorms,
                Gini.of(basis.frequencyNorms(embedRowNorms)), Gini.of(basis.frequencyNorms(neuronLogitRowNorms)),
                sumOfSquares);
    }
}
