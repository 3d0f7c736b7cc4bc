package io.jgrok.analysis;

/**
 * One forward pass over all p^2 inputs, in input order a*p + b.
 *
 * @param logits    [p*p, nOutputs] (the {@code =} logit last when the model has one)
 * @param neurons   post-ReLU MLP activations at {@code =}, [p*p, d_mlp]
 * @param attention attention from {@code =} to positions a, b, {@code =}, [p*p, n_heads, 3]
 */
public record ModelOutputs(float[] logits, float[] neurons, float[] attention) {
}
