package io.jgrok.analysis;

/**
 * Losses and accuracies of one model's logits, plain and ablated in Fourier space. Every loss is the mean float64
 * cross-entropy over the p number logits (the {@code =} logit, if any, is dropped, as in the paper's notebook);
 * accuracies are argmax over the same p logits (ties to the lower class).
 *
 * <p>Restricted logits: the projection of the logits (as p^2 x p, one column per class) onto the cos and sin
 * (w_k(a+b)) directions of the key frequencies, plus each class's mean logit; evaluated on all p^2 inputs.
 * Excluded logits: the logits minus that projection (no mean added); evaluated on the training pairs only.
 *
 * @param lossAll                    loss over all p^2 inputs
 * @param restrictedLoss             restricted loss, all inputs
 * @param excludedLoss               excluded loss, training pairs
 * @param excludedLossPerFrequency   excluded loss with only key frequency i removed (train), per key frequency
 * @param restrictedLossPerFrequency restricted loss keeping only key frequency i (all inputs); null unless asked for
 * @param keyAmplitudes              least-squares amplitude of cos(w_k(a+b-c)) in the number logits, per key
 *                                   frequency: {@code <L, cos(w_k(a+b-c))> / |cos(w_k(a+b-c))|^2} over the p^3 grid
 */
public record LogitMeasures(double lossAll, double accuracyAll, double lossTrain, double accuracyTrain,
                            double lossTest, double accuracyTest, double restrictedLoss, double restrictedAccuracy,
                            double excludedLoss, double excludedAccuracy, double[] excludedLossPerFrequency,
                            double[] restrictedLossPerFrequency, double[] keyAmplitudes) {
}
